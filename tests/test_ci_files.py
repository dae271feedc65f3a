"""The composite action and the workflows: GitHub's schemas (check-jsonschema's vendored copies,
offline) and zizmor's security audits (--offline), plus what each file must do."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT

ACTION = ROOT / "action.yml"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def tool(name: str, *args: str) -> subprocess.CompletedProcess:
    path = BIN / name
    assert path.exists(), f"{name} is missing: pip install -e '.[test]'"
    return subprocess.run([str(path), *args], capture_output=True, text=True, timeout=120)


def load(path: Path) -> dict:
    return yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # keeps `on:` a string key


def uses(document: dict) -> list[str]:
    jobs = document.get("jobs", {}).values() if "jobs" in document else [document["runs"]]
    return [step["uses"] for job in jobs for step in job.get("steps", []) if "uses" in step]


def test_workflows_match_github_schema():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "loadgate-example.yml"}
    result = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_matches_github_schema():
    result = tool("check-jsonschema", "--builtin-schema", "vendor.github-actions", str(ACTION))
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: run tests\n")
    result = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(broken))
    assert result.returncode != 0


def test_zizmor_finds_nothing():
    result = tool("zizmor", "--offline", str(ACTION), str(ROOT / ".github" / "workflows"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_would_catch_an_injection(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: pull_request_target\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
                   "    steps:\n      - run: echo \"${{ github.event.pull_request.title }}\"\n")
    assert tool("zizmor", "--offline", str(bad)).returncode != 0


@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS], ids=lambda p: p.name)
def test_every_remote_action_is_pinned_to_a_commit(path):
    for ref in uses(load(path)):
        assert ref.startswith("./") or PINNED.match(ref), ref
    assert all(re.search(r"@[0-9a-f]{40}  # v\d", line) for line in path.read_text().splitlines()
               if re.match(r"\s*(- )?uses: [^.]", line)), "pin with the version as a comment"


def test_action_runs_the_gate_and_uploads_reports_even_on_failure():
    action = load(ACTION)
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite" and action["inputs"]["report-dir"]["default"] == "reports"
    text = ACTION.read_text()
    assert "apt-get install -y -qq prometheus" in text and "loadgate-venv/bin/loadgate" in text
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "${{ inputs.report-dir }}"
    last = steps[-1]["run"]
    assert steps.index(upload) == len(steps) - 2 and 'exit "$CODE"' in last


def test_example_gates_pull_requests_and_publishes_junit():
    workflow = load(ROOT / ".github" / "workflows" / "loadgate-example.yml")
    assert "pull_request" in workflow["on"]
    (job,) = workflow["jobs"].values()
    names = [s.get("uses", "") for s in job["steps"]]
    assert "./" in names
    reporter = next(s for s in job["steps"] if "junit" in s.get("uses", ""))
    assert reporter["if"] == "always()" and reporter["with"]["report_paths"] == "reports/junit.xml"
    # docs/ci.md: the settings that make mikepenz show the most of each outcome
    assert {k: reporter["with"].get(k) for k in ("include_passed", "detailed_summary", "check_title_template")} == {
        "include_passed": "true", "detailed_summary": "true", "check_title_template": "{{TEST_NAME}}"}
    assert job["permissions"]["checks"] == "write"


def test_ci_runs_make_test():
    workflow = load(ROOT / ".github" / "workflows" / "ci.yml")
    runs = [s.get("run", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert any(r.startswith("make test") for r in runs)
