"""judge/forked_reader.py: files read by this process and a forked child, as one loop reads them.

Real forks, real pipes and real signals: the child is observed through /proc and through what
it read (each item read says which process read it)."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from loadgate.judge import forked_reader
from loadgate.judge.forked_reader import read_each
from tests.helpers import new_children, processes


def wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


@pytest.fixture
def marks(tmp_path):
    """read(i): (i, the reading process), leaving a mark for each item a child read; and a
    ``meanwhile`` that waits until the child has read every item (so it reads them all)."""

    def read(i: int) -> tuple[int, int]:
        if os.getpid() != parent:
            (tmp_path / str(i)).touch()
        return i, os.getpid()

    def child_reads_all(count: int):
        return lambda: wait_for(lambda: len(list(tmp_path.iterdir())) == count)

    parent = os.getpid()
    return read, child_reads_all


def test_what_the_child_read_comes_back_in_order_and_the_child_is_reaped(marks):
    read, child_reads_all = marks
    assert forked_reader.can_fork(40)
    seen, before = [], set(processes(os.getpid()))
    got = list(read_each(read, range(40), lambda: (seen.extend(new_children(before)),
                                                  child_reads_all(40)())))
    assert [i for i, _ in got] == list(range(40))
    assert len(seen) == 1 and {pid for _, pid in got} == set(seen)  # read by the one child
    assert os.getpid() not in seen and new_children(before) == []


def test_without_a_fork_this_process_reads_each_item_in_turn(marks):
    read, _ = marks
    order = []
    got = list(read_each(lambda i: order.append(i) or read(i), range(10), lambda: order.append("m"),
                         fork=False))
    assert got == [(i, os.getpid()) for i in range(10)] and order == ["m", *range(10)]
    assert not forked_reader.can_fork(1)


def test_no_fork_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forked_reader.can_fork(40)
    finally:
        stop.set()
        thread.join()
    assert forked_reader.can_fork(40)


@pytest.mark.parametrize("failing", [(7,), (7, 23), (39,)])
def test_a_failure_in_the_child_is_raised_here_at_its_turn(tmp_path, marks, failing):
    """The child reads every item; those that raise there are read again here and raise here,
    the first in order first, after the items before it were yielded."""
    read, child_reads_all = marks
    again = []

    def flaky(i: int):
        if i in failing:
            (tmp_path / str(i)).touch()
            again.append(os.getpid())
            raise ValueError(f"item {i} is broken")
        return read(i)

    got, before = [], set(processes(os.getpid()))
    with pytest.raises(ValueError, match=f"^item {failing[0]} is broken$"):
        for item in read_each(flaky, range(40), child_reads_all(40)):
            got.append(item)
    assert [i for i, _ in got] == list(range(failing[0]))
    assert os.getpid() not in {pid for _, pid in got}  # read by the child
    assert again == [os.getpid()]  # the first failing item, read again here
    assert new_children(before) == []


def test_a_meanwhile_that_fails_is_left_for_later(marks):
    read, _ = marks

    def broken():
        raise ImportError("no scipy")

    assert list(read_each(read, range(4), broken, fork=False)) == [(i, os.getpid()) for i in range(4)]
    assert [i for i, _ in read_each(read, range(4), broken)] == list(range(4))


SLOW_READING = """
import time
from loadgate.cli import terminating_signals_raise
from loadgate.judge.forked_reader import read_each

def meanwhile():
    print("reading", flush=True)
    time.sleep(60)

with terminating_signals_raise():
    list(read_each(lambda i: time.sleep(0.05), range(1000), meanwhile))
"""


@pytest.mark.parametrize("stop", ["Ctrl-C to the terminal's group", "TERM to loadgate", "KILL to loadgate"])
def test_nothing_keeps_running_after_a_signal(stop):
    """A child reading for 50 s while its parent waits in ``meanwhile``: Ctrl-C (SIGINT to the
    whole process group), a SIGTERM to the parent, or the parent killed outright."""
    started = subprocess.Popen([sys.executable, "-c", SLOW_READING], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert started.stdout.readline() == "reading\n"
        assert len(processes(started.pid)) == 1  # the child, reading
        if stop.startswith("Ctrl-C"):
            os.killpg(started.pid, signal.SIGINT)
        else:
            os.kill(started.pid, signal.SIGTERM if "TERM" in stop else signal.SIGKILL)
        started.wait(timeout=10)
        wait_for(lambda: not processes(group=started.pid), 10)
        assert processes(group=started.pid) == []
        ended = {"C": "KeyboardInterrupt", "T": "Terminated: 15", "K": ""}[stop[0]]  # raised: the child stopped
        assert ended in started.stderr.read() and started.returncode != 0
    finally:
        if processes(group=started.pid):
            os.killpg(started.pid, signal.SIGKILL)
        started.wait(timeout=10)
