"""Writing the reports: what cannot be written is named; the step summary never changes a verdict."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET

import pytest

from loadgate import report
from loadgate.errors import InfraError
from loadgate.judge.verdict import unknown
from tests.helpers import OBJECTIVES, passed_with_warning, plan


def test_a_report_dir_that_is_a_file_is_named(tmp_path):
    (tmp_path / "reports").write_text("not a directory")
    with pytest.raises(InfraError, match=r"cannot write the reports \(4 of 4\): .*reports/junit.xml"):
        report.write_all(plan(tmp_path / "reports"), passed_with_warning())


def test_one_unwritable_file_does_not_stop_the_others(tmp_path):
    (tmp_path / "junit.xml").mkdir()  # a directory where the file should go
    with pytest.raises(InfraError, match=r"\(1 of 4\): .*junit.xml: Is a directory"):
        report.write_all(plan(tmp_path), passed_with_warning())
    assert json.loads((tmp_path / "results.json").read_text())["verdict"] == "pass"
    assert (tmp_path / "report.html").is_file() and (tmp_path / "summary.md").is_file()


def test_an_unwritable_step_summary_warns_and_the_verdict_stands(tmp_path, monkeypatch, caplog):
    unwritable = tmp_path / "summary-dir"
    unwritable.mkdir()  # opening a directory for appending fails, even for root
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(unwritable))
    with caplog.at_level(logging.WARNING, logger="loadgate"):
        written = report.write_all(plan(tmp_path / "reports"), passed_with_warning())
    assert len(written) == 4
    assert f"cannot append to $GITHUB_STEP_SUMMARY ({unwritable})" in caplog.text


@pytest.mark.parametrize("code", [130, 143])
def test_reports_carry_the_exit_code_of_a_signal(tmp_path, code):
    verdict = unknown(OBJECTIVES, "interrupted", interrupted_by=code)
    assert verdict.exit_code == code
    report.write_all(plan(tmp_path), verdict)
    assert json.loads((tmp_path / "results.json").read_text())["exit_code"] == code
    props = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite/properties")
    assert {p.get("name"): p.get("value") for p in props}["exit_code"] == str(code)


def test_an_infrastructure_error_keeps_exit_code_3(tmp_path):
    report.write_all(plan(tmp_path), unknown(OBJECTIVES, "Prometheus died"))
    assert json.loads((tmp_path / "results.json").read_text())["exit_code"] == 3
