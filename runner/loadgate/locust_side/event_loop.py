"""How long the event loop of a process running users was blocked (by a task doing blocking I/O
or CPU work): how late a short sleep wakes up.  The longest block is kept, with when it ended, in
the exporter's ``blocked`` (seconds, end timestamp); ``loop_seen`` is when the watcher last woke
(monotonic seconds)."""

from __future__ import annotations

import time

import gevent

TICK = 0.1


def watch(exporter) -> None:
    """Runs for the life of the process: wakes every TICK and notes how late it woke."""
    while True:
        exporter.loop_seen = time.monotonic()
        gevent.sleep(TICK)
        note_block(exporter, time.monotonic() - exporter.loop_seen - TICK)


def note_unseen_block(exporter) -> None:
    """A block under way that the watcher has not woken up to yet (a stats report came first)."""
    note_block(exporter, time.monotonic() - exporter.loop_seen - TICK)


def note_block(exporter, late: float) -> None:
    if late > exporter.blocked[0]:
        exporter.blocked = (late, time.time())
