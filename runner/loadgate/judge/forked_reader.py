"""Many files read on two cores at once: by this process and by a child forked from it.

``loadgate compare`` reads 30 runs of 1 000 requests (81 MB of results.json): about 0.3 s in
one process, while the second core of a 2-core machine idles (judge/baseline.py read_runs).

How.  The files' indexes are queued in a pipe, 4 bytes each (a read of 4 bytes takes one
whole entry, so both processes take the next file from the front, without a lock).  The
child reads files from the queue until it is empty and writes each outcome, pickled, to an
anonymous in-memory file; then it ends with ``os._exit`` (never returning into the caller's
code, on Ctrl-C too).  This process first does ``meanwhile`` (compare/runs.py imports scipy
there), then reads files from the queue too; when the queue is empty it waits for the child
and loads what the child read.  The slower the ``meanwhile``, the more files the child reads.

The outcome is ``[read(item) for item in items]``'s, in the same order: a file whose reading
raised (in either process), or that the child took and did not finish, is read again here
when its turn comes, so the same exception is raised at the same place as when reading in one
process.  Nothing is left running: on any exception in this process (Ctrl-C, a SIGTERM that
``loadgate``'s handlers raise as Terminated) the child is killed and reaped before it goes on;
a child whose parent died stops at its next file.  Read in this process alone: when the caller
says so (few bytes), on one CPU (``os.sched_getaffinity``), without ``os.fork`` or
``sched_getaffinity`` (not Linux), while other Python threads run (a fork copies their locks as
they are), or for more files than the queue holds.

Measured (benchmarks/compare.py, 30 runs of 1 000 requests x 30 intervals, this 2-core
machine, quiet, 23:40 UTC 4 Dec 2026, docs/benchmarks.md "third pass"): reading the 30 runs
0.31-0.33 s in one process, 0.25-0.27 s (0.47 s of CPU) by two; the command 0.80-0.82 s ->
0.65-0.67 s with scipy imported meanwhile.  A run costs 11 ms to read and 4 ms to send back
(pickled by the child 2.3 ms, loaded here 2 ms: 1 000 request rows as dicts), so below a few
MB a second process gains nothing (judge/baseline.py FORK_BYTES).  OpenBLAS threads that spin
on the second core slow the child by half: ``loadgate compare`` starts numpy with one
(cli/commands.py).
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import struct
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import NoReturn, TypeVar

log = logging.getLogger("loadgate")
T, R = TypeVar("T"), TypeVar("R")
ENTRY = struct.Struct("<I")  # a file's index, in the queue
FRAME = struct.Struct("<IQ")  # a file's index and its outcome's pickle's length, in the child's file
MAX_FILES = 16_384  # the queue (4 bytes a file) within a pipe's 64 KiB, written at once
_LOST = object()  # not read: the reading raised, or the child ended before writing it


def can_fork(count: int) -> bool:
    """Whether ``count`` files can be read by two processes here (the module docstring)."""
    if not (2 <= count <= MAX_FILES and all(hasattr(os, f) for f in ("fork", "sched_getaffinity", "memfd_create"))):
        return False
    return len(os.sched_getaffinity(0)) > 1 and threading.active_count() == 1


def read_each(read: Callable[[T], R], items: Sequence[T], meanwhile: Callable[[], object] | None = None,
              fork: bool = True) -> Iterator[R]:
    """``read(item)`` for each item, in order (the module docstring); ``meanwhile`` is done by
    this process while the child reads (without a child: first)."""
    queue = _queue(len(items)) if fork and can_fork(len(items)) else None
    if queue is None:  # in this process alone, each item in turn, as a loop reads them
        _head_start(meanwhile)
        yield from map(read, items)
        return
    try:
        with open(os.memfd_create("loadgate-runs", os.MFD_CLOEXEC), "w+b") as out:
            outcomes = _two_processes(read, items, meanwhile, queue, out)
    finally:
        os.close(queue)
    for item, outcome in zip(items, outcomes):
        yield read(item) if outcome is _LOST else outcome


def _head_start(meanwhile: Callable[[], object] | None) -> None:
    """``meanwhile()``; an exception is left for the work that needs it to raise (an import
    that fails fails again there, where it did before)."""
    if meanwhile is not None:
        try:
            meanwhile()
        except Exception as exc:
            log.debug("done later: %s", exc)


def _two_processes(read: Callable, items: Sequence, meanwhile, queue: int, out) -> list:
    """Each item's outcome, read by this process or the child (_LOST: read it again)."""
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        _child(read, items, queue, out, parent)
    try:
        _head_start(meanwhile)
        mine = {i: _outcome(read, items[i]) for i in iter(partial(_next, queue), None)}
        os.waitpid(pid, 0)
        pid = 0
    finally:
        if pid:
            _stop(pid)
    theirs = _frames(out)
    return [mine[i] if i in mine else theirs.get(i, _LOST) for i in range(len(items))]


def _queue(count: int) -> int | None:
    """The read end of a pipe holding the indexes 0 .. count-1, not blocking when empty; None
    when they do not fit (a user's pipe buffers can be limited to a page)."""
    queue, todo = os.pipe()
    entries = b"".join(map(ENTRY.pack, range(count)))
    try:
        os.set_blocking(todo, False)
        written = os.write(todo, entries)
    except BlockingIOError:
        written = 0
    finally:
        os.close(todo)
    if written != len(entries):
        os.close(queue)
        return None
    os.set_blocking(queue, False)
    return queue


def _next(queue: int) -> int | None:
    """The next file's index from the queue; None when it is empty."""
    try:
        entry = os.read(queue, ENTRY.size)
    except BlockingIOError:
        return None
    return ENTRY.unpack(entry)[0] if entry else None


def _outcome(read: Callable, item) -> object:
    try:
        return read(item)
    except Exception:  # read again at its turn, which raises it again
        return _LOST


def _child(read: Callable, items: Sequence, queue: int, out, parent: int) -> NoReturn:
    """The forked child: reads files from the queue and writes their outcomes to ``out`` (a
    frame each: index, length, pickle) until the queue is empty or its parent is gone."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it as it is
        while os.getppid() == parent and (index := _next(queue)) is not None:
            outcome = _outcome(read, items[index])
            if outcome is not _LOST:
                payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
                out.write(FRAME.pack(index, len(payload)))
                out.write(payload)
        out.flush()
        status = 0
    finally:
        os._exit(status)


def _frames(out) -> dict[int, object]:
    """The child's outcomes by index (a frame cut short, by a child killed: left out)."""
    out.seek(0)
    theirs = {}
    while len(header := out.read(FRAME.size)) == FRAME.size:
        index, length = FRAME.unpack(header)
        payload = out.read(length)
        if len(payload) < length:
            break
        theirs[index] = pickle.loads(payload)
    return theirs


def _stop(pid: int) -> None:
    """Ends the child at once (it holds nothing to clean up: its file is memory) and reaps it."""
    log.debug("reading stopped: killing the reading child %d", pid)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
