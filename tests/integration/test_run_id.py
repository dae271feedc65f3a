"""Run ids: one shared Prometheus, several runs, each judges only its own requests."""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET

import pytest

from loadgate.stack.processes import free_port

ALL_REQUESTS = "  - sli: throughput\n    min: 1/s\n"


@pytest.fixture
def shared_prometheus(tmp_path, prometheus_for):
    """A Prometheus the runs do not start: it scrapes a fixed exporter port every 250 ms."""
    exporter = free_port()
    return prometheus_for(exporter), exporter


def test_two_runs_on_one_prometheus_each_judge_only_their_own(gate, prometheus_for, prometheus_bin, monkeypatch):
    exporter = free_port()
    url = prometheus_for(exporter, binary=prometheus_bin)  # each version the suite runs
    monkeypatch.setenv("LOADGATE_EXPORTER_PORT", str(exporter))
    first_dir = gate.dir / "first"
    assert gate.run(ALL_REQUESTS, "--prometheus-url", url, "--run-id", "first-run",
                    "--report-dir", str(first_dir), load="users: 10\n  spawn_rate: 10\n  duration: 5s") == 0
    first = json.loads((first_dir / "results.json").read_text())
    first_samples = len(gate.samples())
    assert first["run_id"] == "first-run" and first["totals"]["requests"] == first_samples
    for path in gate.records.glob("samples-*.json"):
        path.unlink()
    monkeypatch.setenv("LOADGATE_RUN_ID", "second-run")
    assert gate.run(ALL_REQUESTS, "--prometheus-url", url,
                    load="users: 3\n  spawn_rate: 10\n  duration: 4s") == 0
    second = gate.results()
    assert second["run_id"] == "second-run"
    assert second["totals"]["requests"] == len(gate.samples()) != first_samples
    assert second["window"]["start"] > first["window"]["end"]
    props = {p.get("name"): p.get("value") for p in
             ET.parse(gate.reports / "junit.xml").getroot().iter("property")}
    assert props["run_id"] == "second-run"


def test_another_process_on_the_exporter_port_is_exit_3_naming_it(gate, shared_prometheus, monkeypatch, capsys):
    url, exporter = shared_prometheus
    monkeypatch.setenv("LOADGATE_EXPORTER_PORT", str(exporter))
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", exporter))
        squatter.listen()
        assert gate.run(ALL_REQUESTS, "--prometheus-url", url) == 3
    assert f"127.0.0.1:{exporter} is already taken by pid" in capsys.readouterr().out + \
        json.dumps(gate.results())
