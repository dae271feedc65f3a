"""Children stopped together: every step of INT -> TERM -> KILL goes to all at once."""

from __future__ import annotations

import signal
import time

from loadgate.stack.processes import STOP_STEPS, Child, stop_all

IGNORES_SIGINT = ["python3", "-c", "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN);"
                  " print('up', flush=True); time.sleep(60)"]


def test_several_children_share_each_grace_period(tmp_path):
    children = [Child(f"stubborn {i}", IGNORES_SIGINT, tmp_path / f"{i}.log") for i in range(3)]
    deadline = time.monotonic() + 10
    while not all("up" in c.output_tail() for c in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    stop_all(children)
    took = time.monotonic() - started
    interrupt_grace = STOP_STEPS[0][1]
    assert all(c.poll() is not None for c in children)
    assert [c.poll() for c in children] == [-15, -15, -15]  # SIGINT ignored, SIGTERM ended them
    assert interrupt_grace <= took < 2 * interrupt_grace  # one after another: 3 x 5 s


def test_a_child_started_while_sigint_is_ignored_still_stops_on_sigint(tmp_path):
    # `loadgate run &` in a non-interactive shell (many CI scripts) runs loadgate with SIGINT
    # ignored; without resetting it, every child would inherit that and cost the INT grace period.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        child = Child("sleeper", ["python3", "-c", "import time; print('up', flush=True); time.sleep(60)"],
                      tmp_path / "sleeper.log")
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.monotonic() + 10
    while "up" not in child.output_tail() and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    child.stop()
    assert time.monotonic() - started < STOP_STEPS[0][1]  # SIGINT ended it, no TERM needed
    assert child.poll() != -15 and "KeyboardInterrupt" in child.output_tail()
