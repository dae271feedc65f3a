"""GitHub Actions: annotations only when GITHUB_ACTIONS=true, step summary only when set."""

import io

from loadgate import report
from loadgate.judge.verdict import judge
from loadgate.report import github
from tests.helpers import OBJECTIVES, breached, failed_infrastructure, measurements, passed_with_warning, plan

ACTIONS = {"GITHUB_ACTIONS": "true"}


def annotate(tmp_path, verdict, environ) -> list[str]:
    out = io.StringIO()
    github.annotate(plan(tmp_path), verdict, out, environ)
    return out.getvalue().splitlines()


def test_breach_is_an_error_at_the_slo_line(tmp_path):
    (line,) = annotate(tmp_path, breached(), ACTIONS)
    assert line == ("::error file=slo.yaml,line=12,title=SLO breached%3A p95 latency <= 300 ms::"
                    "p95 latency 412.3 ms > 300 ms")


def test_warning_is_a_warning(tmp_path):
    (line,) = annotate(tmp_path, passed_with_warning(), ACTIONS)
    assert line.startswith("::warning file=slo.yaml,line=12,title=SLO warning%3A p95 latency")


def test_each_note_on_the_run_is_one_warning(tmp_path):
    import dataclasses

    from loadgate.model import UserError

    error = UserError("KeyError", "'coupon'", "loadtest.py:22", "continued", 4)
    verdict = judge(OBJECTIVES, dataclasses.replace(measurements(p95=100.0, errors=0.0), user_errors=(error,)))
    assert annotate(tmp_path, verdict, ACTIONS) == [
        "::warning title=loadgate%3A about the run::the locustfile's code raised: KeyError: 'coupon' at "
        "loadtest.py:22 raised 4 times (the users went on)"]


def test_clean_pass_writes_nothing(tmp_path):
    verdict = judge(OBJECTIVES, measurements(p95=100.0, errors=0.0))
    assert annotate(tmp_path, verdict, ACTIONS) == []


def test_infrastructure_error_is_one_escaped_error(tmp_path):
    (line,) = annotate(tmp_path, failed_infrastructure(), ACTIONS)
    assert line == ("::error title=loadgate%3A infrastructure error%2C verdict unknown::"
                    "prometheus died during the load (exit code 1).%0Aprometheus printed:%0A"
                    'ts=2026-12-04T17:00:00Z level=error msg="opening storage failed" err="<no space left>"')


def test_nothing_outside_github_actions(tmp_path):
    for environ in ({}, {"GITHUB_ACTIONS": "false"}, {"CI": "true"}):
        assert annotate(tmp_path, breached(), environ) == []


def test_absolute_slo_path_is_made_relative_to_the_workspace(tmp_path):
    import dataclasses

    p = dataclasses.replace(plan(tmp_path), slo_path=tmp_path / "ci" / "slo.yaml")
    assert github.slo_file(p, {"GITHUB_WORKSPACE": str(tmp_path)}) == "ci/slo.yaml"
    assert github.slo_file(p, {}) == (tmp_path / "ci" / "slo.yaml").as_posix()


def test_percent_and_newlines_are_escaped():
    assert github.command("error", "50% down\nnow", title="a,b:c") == "::error title=a%2Cb%3Ac::50%25 down%0Anow"


def test_write_all_without_github_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    paths = report.write_all(plan(tmp_path / "reports"), breached())
    assert {p.name for p in paths} == {"junit.xml", "results.json", "summary.md", "report.html"}
    assert capsys.readouterr().out == ""
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(p.name for p in paths)


def test_write_all_in_github_actions(tmp_path, monkeypatch, capsys):
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    report.write_all(plan(tmp_path / "reports"), breached())
    text = summary.read_text()
    assert text.startswith("earlier step\n") and "❌ SLO breached" in text  # appended, not replaced
    assert "| p95 latency <= 300 ms | 412.3 ms | <= 300 ms | ❌ fail |" in text
    assert capsys.readouterr().out.startswith("::error file=slo.yaml,line=12,")
