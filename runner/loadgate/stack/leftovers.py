"""What a run might leave behind, found and removed: temporary folders of runs that were killed
(``kill -9`` runs no teardown) and processes the locustfile detached from Locust.

Folders: every run works in ``$TMPDIR/loadgate-<pid>-*``.  A folder whose pid is not running,
or is running but started after the folder was made (the pid was reused), belongs to a run that
is gone: the next run removes it.  Other folders are never touched (``loadgate-stacks``, the
``loadgate-kept-*`` data of a ``--keep-stack`` Prometheus).

Processes: a locustfile may start programs in a session of their own (``setsid``,
``start_new_session=True``, a double fork) that stopping Locust's process group does not reach.
Every process Locust starts inherits LOADGATE_STOP_FILE, whose value names this run's folder; once
Locust is stopped, any process still carrying it is killed.  loadgate is also a child subreaper
(prctl PR_SET_CHILD_SUBREAPER), so such orphans are re-parented to it, not to init, and reaped.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import shutil
import signal
import tempfile
from pathlib import Path

log = logging.getLogger("loadgate")

PREFIX = "loadgate-"
_RUN_FOLDER = re.compile(r"^loadgate-(\d+)-")
_PR_SET_CHILD_SUBREAPER = 36


def run_folder_prefix() -> str:
    return f"{PREFIX}{os.getpid()}-"


def _started_at(pid: int) -> float | None:
    """When ``pid`` started (unix seconds); None if it is not running."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
    except (OSError, StopIteration, IndexError, ValueError):
        return None
    if fields[0] == "Z":
        return None
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def remove_stale_folders(tmp: Path | None = None) -> list[Path]:
    """Remove this user's run folders whose run is gone; return them."""
    removed = []
    base = Path(tmp or tempfile.gettempdir())
    for folder in base.glob(f"{PREFIX}*"):
        found = _RUN_FOLDER.match(folder.name)
        try:
            stat = folder.lstat()
        except OSError:
            continue
        if not found or not folder.is_dir() or folder.is_symlink() or stat.st_uid != os.getuid():
            continue
        started = _started_at(int(found.group(1)))
        if started is None or started > stat.st_mtime + 1:  # dead, or the pid was reused
            shutil.rmtree(folder, ignore_errors=True)
            log.info("removed %s, left by a loadgate run that was killed", folder)
            removed.append(folder)
    return removed


def become_subreaper() -> None:
    """Orphaned descendants are re-parented to loadgate instead of init (Linux only)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _carries(pid: int, marker: bytes) -> bool:
    try:
        return marker in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def kill_detached(variable: str, value: str) -> list[int]:
    """SIGKILL every process of this user whose environment holds ``variable=value``; reap
    those re-parented to loadgate.  Returns their pids."""
    marker = f"{variable}={value}".encode()
    found = [int(p.name) for p in Path("/proc").iterdir()
             if p.name.isdigit() and int(p.name) != os.getpid() and _carries(int(p.name), marker)]
    for pid in found:
        log.warning("killing pid %d (%s): the locustfile left it running", pid, _command(pid)[:80])
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            continue
    for pid in found:
        try:
            os.waitpid(pid, 0)  # ours only when it was re-parented to us
        except ChildProcessError:
            pass
    return found
