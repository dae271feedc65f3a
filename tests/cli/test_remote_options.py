"""The remote options at the command line: worker's usage errors, validate's plan."""

import pytest

from loadgate.cli import main
from tests.cli.test_cli import files  # noqa: F401 - the fixture


@pytest.mark.parametrize("argv, words", [
    (["--master-host", "127.0.0.1", "-f", "missing.py"], "missing.py: locustfile not found"),
    (["--master-host", "127.0.0.1", "--master-port", "x", "-f", "{lf}"], "--master-port"),
    (["--master-host", " ", "-f", "{lf}"], "--master-host: an address is needed"),
    (["--master-host", "127.0.0.1", "--connect-timeout", "0s", "-f", "{lf}"], "--connect-timeout"),
])
def test_worker_usage_errors_are_exit_2(capsys, files, argv, words):  # noqa: F811
    _slo, lf = files
    assert main(["worker", *[a.format(lf=lf) for a in argv]]) == 2
    assert words in capsys.readouterr().err


def test_validate_shows_the_remote_workers(capsys, files, monkeypatch):  # noqa: F811
    slo, lf = files
    monkeypatch.setenv("LOADGATE_REMOTE_WORKERS", "3")
    monkeypatch.setenv("LOADGATE_MASTER_BIND", "10.1.2.3")
    assert main(["validate", "--slo", str(slo), "-f", str(lf)]) == 0
    shown = capsys.readouterr()
    assert "+ 3 remote worker(s) for the master on 10.1.2.3:5557 (waiting up to 1m)" in shown.out
    assert shown.err.count("unauthenticated") == 1


@pytest.mark.parametrize("name, value", [("LOADGATE_MASTER_PORT", "x"), ("LOADGATE_MASTER_PORT", "0"),
                                         ("LOADGATE_CONNECT_TIMEOUT", "0s"), ("LOADGATE_CONNECT_TIMEOUT", "soon")])
def test_a_worker_parses_its_environment_like_its_options(capsys, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    code = main(["worker", "--master-host", "127.0.0.1"])
    err = capsys.readouterr().err
    assert (code, err.count("\n"), err.startswith(f"loadgate: error: {name}: ")) == (2, 1, True), err
