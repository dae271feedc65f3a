"""Every file loadgate reads from the user: a regular file, read with a size cap.

A FIFO given as ``--slo`` blocks ``open()`` until a writer comes (a hang with no output); a
character device such as ``/dev/zero`` or an endless stream grows memory without bound; a
directory or a socket fails in ways that name nothing.  So a file is looked at before it is
opened (``stat``: no side effect, even on a device), opened without blocking, checked again on the
open descriptor (it may have been swapped meanwhile), and read up to its cap plus one byte, so a
file that grows while it is read is refused too.  slo.yaml, baselines, the files of a baseline
folder and the locustfile check all read through :func:`read_text`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from loadgate.errors import ConfigError

KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
         (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
         (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str | None:
    """None for a regular file, else what the file is."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in KINDS if test(mode)), "not a regular file")


def _mib(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} kiB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MiB"


def _check(mode_size: os.stat_result, what: str, limit: int, where: dict) -> None:
    kind = _kind(mode_size.st_mode)
    if kind is not None:
        raise ConfigError(f"the {what} is {kind}, not a regular file", **where)
    if mode_size.st_size > limit:
        raise ConfigError(f"the {what} is {_mib(mode_size.st_size)}; the limit is {_mib(limit)}",
                          **where)


def read_bytes(path: Path | str, what: str, limit: int, key: str | None = None,
               missing: str = "") -> bytes:
    """The file's bytes; ConfigError (naming the file, ``key`` and ``what`` it is) when it is
    missing (``missing`` tells how to fix that), not a regular file, or larger than ``limit``."""
    where = {"path": str(path), "key": key}
    try:
        _check(os.stat(path), what, limit, where)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            _check(os.fstat(fd), what, limit, where)
            raw = handle.read(limit + 1)
    except FileNotFoundError:
        raise ConfigError(f"{what} not found" + (f" ({missing})" if missing else ""), **where) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the {what}: {exc.strerror or exc}", **where) from None
    if len(raw) > limit:  # it grew while being read
        raise ConfigError(f"the {what} is larger than {_mib(limit)}", **where)
    return raw


def read_text(path: Path | str, what: str, limit: int, key: str | None = None,
              missing: str = "") -> str:
    """:func:`read_bytes` decoded as UTF-8 (a file that is not UTF-8 is a ConfigError)."""
    return decode(read_bytes(path, what, limit, key, missing), path, what, key)


def decode(raw: bytes, path: Path | str, what: str, key: str | None = None) -> str:
    """The bytes as UTF-8 text (bytes that are not are a ConfigError)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"the {what} is not UTF-8 text (byte {exc.start})", path=str(path),
                          key=key) from None
