import json
from pathlib import Path

import pytest

from loadgate.report import json_report
from tests.helpers import check_results


@pytest.fixture
def write(tmp_path):
    """Write a file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return _write




@pytest.fixture(autouse=True)
def _outside_github_actions(monkeypatch):
    """Tests run in GitHub Actions too: keep their gate runs out of the real job's annotations
    and step summary (tests that check those set the variables themselves)."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture(autouse=True)
def _results_follow_their_schema(monkeypatch):
    """Every results.json loadgate renders in the test process is checked against the JSON Schema
    shipped in the package (the runs in other processes: tests.helpers.read_results)."""
    render = json_report.render

    def checked(plan, verdict) -> str:
        text = render(plan, verdict)
        check_results(json.loads(text))
        return text

    monkeypatch.setattr(json_report, "render", checked)


@pytest.fixture(autouse=True)
def _results_written_by_other_processes_follow_it_too(request):
    """After a test with a tmp_path: every results.json loadgate wrote under it (one naming its
    schema_version: files a test writes by hand have none), also by a `loadgate` in another
    process, is checked against the schema."""
    folder = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    for path in folder.rglob("results.json") if folder else ():
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not one loadgate wrote (a test's broken file)
        if isinstance(document, dict) and "schema_version" in document:
            try:
                check_results(document)
            except AssertionError as exc:
                raise AssertionError(f"{path}: {exc}") from None
