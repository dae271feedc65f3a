"""Children stopped together: every step of INT -> TERM -> KILL goes to all at once."""

from __future__ import annotations

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
