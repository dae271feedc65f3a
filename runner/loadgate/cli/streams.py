"""stdout and stderr that cannot change the verdict: a write that fails is dropped.

A gate's exit code is its verdict.  Its console output is a courtesy, and a CI job may take it
away: stdout into a pipe whose reader left (``| head -1``), onto a full disk (``> /dev/full``), or
closed (``>&-``); stderr closed.  Unguarded, a passing run became exit 120 (Python's exit flush
failed), exit 1 with a traceback, or died before its reports.  Here:

- a standard descriptor that is closed when loadgate starts is opened on /dev/null first, so that
  no file loadgate opens later (a report, a child's log) lands on descriptor 1 or 2;
- every write and flush to stdout/stderr goes through :class:`Guarded`: the first one that fails
  points the descriptor at /dev/null (so Python's own flush at exit succeeds too) and the rest of
  that stream's output is dropped; the verdict and its exit code stand;
- text the console's encoding cannot show (an ASCII-only console, ``LANG=C``) is written as
  backslash escapes instead of raising UnicodeEncodeError.
"""

from __future__ import annotations

import io
import os
import sys


class Guarded(io.TextIOBase):
    """A text stream whose writes never raise; after one has failed, it writes nothing."""

    def __init__(self, stream: io.TextIOBase, fd: int) -> None:
        self.stream, self.fd, self.lost = stream, fd, False

    def write(self, text: str) -> int:
        if not self.lost:
            try:
                self.stream.write(text)
            except (OSError, ValueError):
                self._lose()
        return len(text)

    def flush(self) -> None:
        if not self.lost:
            try:
                self.stream.flush()
            except (OSError, ValueError):
                self._lose()

    def _lose(self) -> None:
        self.lost = True
        _to_devnull(self.fd)

    def isatty(self) -> bool:
        return not self.lost and _isatty(self.stream)

    def fileno(self) -> int:
        return self.fd

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", "utf-8")

    def writable(self) -> bool:
        return True


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):
        return False


def _to_devnull(fd: int) -> None:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except OSError:
        pass


def _open(fd: int) -> bool:
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


def _text_stream(current, fd: int) -> io.TextIOBase:
    """The interpreter's stream, or a new one on ``fd`` when Python found it closed at start."""
    if current is None or isinstance(current, Guarded):
        current = current.stream if isinstance(current, Guarded) else \
            open(fd, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - lives as long as loadgate
    if hasattr(current, "reconfigure"):
        try:
            current.reconfigure(errors="backslashreplace")
        except (OSError, ValueError):
            pass
    return current


def guard() -> None:
    """Make fds 0-2 open and stdout/stderr :class:`Guarded` (at the start of ``main``)."""
    for fd in (0, 1, 2):
        if not _open(fd):
            flags = os.O_RDONLY if fd == 0 else os.O_WRONLY
            null = os.open(os.devnull, flags)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    sys.stdout = Guarded(_text_stream(sys.stdout, 1), 1)
    sys.stderr = Guarded(_text_stream(sys.stderr, 2), 2)


def settle() -> None:
    """Flush both streams now, while a failure can still be dropped (at the end of ``main``)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
