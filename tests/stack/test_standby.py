"""The Locust standby (stack/standby.py, locust_side/standby.py): a real interpreter that imports
the real Locust, then becomes ``python -m locust ARGS`` with the environment, folder and log it is
given; or ends, unused, leaving nothing behind."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from loadgate.stack import standby
from loadgate.stack.standby import Standby
from tests.helpers import alive

LOCUST = [sys.executable, "-m", "locust"]


def gone(pid: int) -> bool:
    return not alive(pid)


def test_it_becomes_locust_with_the_environment_folder_and_log_it_is_given(tmp_path):
    folder = tmp_path / "here"
    folder.mkdir()
    (tmp_path / "lf.py").write_text(
        "import os, sys\n"
        "open(os.environ['STANDBY_OUT'], 'w').write(os.getcwd() + ' ' + os.environ['STANDBY_WORD'])\n"
        "print('the locustfile ran')\n"
        "sys.exit(7)\n")
    env = {**os.environ, "STANDBY_OUT": str(tmp_path / "out"), "STANDBY_WORD": "given"}
    process = Standby().become([*LOCUST, "-f", str(tmp_path / "lf.py"), "--headless"],
                               tmp_path / "locust.log", env, folder)
    assert process is not None
    assert process.wait(30) == 7
    assert (tmp_path / "out").read_text() == f"{folder} given"
    assert "the locustfile ran" in (tmp_path / "locust.log").read_text()


def test_an_import_that_failed_is_shown_in_the_log(tmp_path, monkeypatch):
    broken = tmp_path / "site" / "locust"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('this locust is broken')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "site"))
    process = Standby().become([*LOCUST, "--version"], tmp_path / "locust.log", None, None)
    assert process.wait(30) == 1
    assert "this locust is broken" in (tmp_path / "locust.log").read_text()


def test_another_command_line_is_not_taken_and_an_unused_standby_ends_at_once():
    waiting = Standby()
    try:
        assert waiting.become(["/usr/bin/env", "true"], Path("/dev/null"), None, None) is None
        assert waiting.become([sys.executable, "-m", "pytest"], Path("/dev/null"), None, None) is None
    finally:
        started = time.monotonic()
        waiting.end()
    assert gone(waiting.process.pid)
    assert time.monotonic() - started < 2


def test_the_block_hands_it_out_once_and_ends_it_when_untaken():
    with standby.on_standby():
        taken = standby.take()
        assert taken is not None and taken.process.poll() is None
        assert standby.take() is None
    assert taken.process.poll() is None  # taken: the stack that took it stops it
    taken.end()
    with standby.on_standby():
        untaken = standby._waiting
    assert untaken is not None and gone(untaken.process.pid)


def test_a_standby_that_died_is_passed_over(tmp_path):
    waiting = Standby()
    waiting.process.kill()
    waiting.process.wait()
    assert waiting.become([*LOCUST, "--version"], tmp_path / "log", None, None) is None


@pytest.mark.parametrize("code", [0, 3])
def test_a_run_through_the_child_api_keeps_the_exit_code(tmp_path, code):
    from loadgate.stack.processes import Child

    (tmp_path / "lf.py").write_text(f"import sys\nsys.exit({code})\n")
    child = Child("locust master", [*LOCUST, "-f", str(tmp_path / "lf.py")], tmp_path / "log",
                  standby=Standby())
    assert child.wait(30) == code
