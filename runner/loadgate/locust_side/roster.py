"""The roster of a run's Locust workers, kept by the master inside Locust: who joined (with which
versions), who was refused, who left.

A worker greets its master with :func:`greeting`; the master checks it (:class:`Roll`) and appends
what happened to ``$LOADGATE_ROSTER_FILE``, in the format of loadgate/roster_file.py, which
loadgate reads back.  Nothing here imports locust.
"""

from __future__ import annotations

import os
import socket
import time

from loadgate.roster_file import describe, line

MISSING = "missing"  # Locust's state of a worker whose heartbeats stopped (~3 s of silence)
# A missing worker comes back when its heartbeats resume (a task that blocked its event loop: a
# stall, warned about, not a loss); one still missing this long after Locust noticed is lost.
LOST_AFTER = 15.0


def own_address(master_host: str, master_port: int) -> str:
    """The address this host uses to reach the master (what the master's network sees)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((master_host, master_port or 5557))
            return probe.getsockname()[0]
    except OSError:
        return "?"


def greeting(locust_version: str, master_host: str, master_port: int) -> dict:
    """What a worker tells its master about itself, right after it connected."""
    return {"loadgate": os.environ.get("LOADGATE_VERSION") or "unknown", "locust": locust_version,
            "addr": own_address(master_host, master_port), "host": socket.gethostname(),
            "pid": os.getpid(), "local": os.environ.get("LOADGATE_LOCAL_WORKER") == "1"}


def mismatch(worker: dict, master: dict) -> str | None:
    """Why a worker cannot take part, naming both sides' versions; None when it can."""
    if (worker.get("loadgate"), worker.get("locust")) == (master["loadgate"], master["locust"]):
        return None
    return (f"{describe(worker)} runs loadgate {worker.get('loadgate')} with Locust "
            f"{worker.get('locust')}, the master loadgate {master['loadgate']} with Locust "
            f"{master['locust']}: install the same versions on both")


class Roll:
    """The master's side: checks greetings and writes every event to ``path`` (one JSON a line)."""

    def __init__(self, path: str | None, locust_version: str) -> None:
        self.path = path
        self.own = {"loadgate": os.environ.get("LOADGATE_VERSION") or "unknown", "locust": locust_version}
        self.workers: dict[str, dict] = {}  # client id -> greeting, while it takes part
        self.missing_since: dict[str, float] = {}  # client id -> when Locust first said missing

    def write(self, event: str, client_id: str, worker: dict, why: str = "") -> None:
        if self.path:
            with open(self.path, "a", encoding="utf-8") as out:
                out.write(line(event, client_id, worker, why))

    def greeted(self, client_id: str, worker: dict) -> str | None:
        """A worker's greeting: joined, or refused (returned: the reason, for the worker)."""
        why = mismatch(worker, self.own)
        if why:
            self.write("refused", client_id, worker, why)
            return why
        self.workers[client_id] = worker
        self.write("joined", client_id, worker)
        return None

    def reported(self, client_id: str, data: dict) -> None:
        """A stats report without loadgate's figures: a worker Locust started without the exporter."""
        if "loadgate" not in data and client_id not in self.workers:
            self.workers[client_id] = worker = {"id": client_id}
            self.write("refused", client_id, worker, f"{describe(worker)} runs Locust without "
                       "loadgate's exporter (use `loadgate worker`): its requests would not be counted")

    def check(self, clients: dict, load_running: bool, load_started: bool,
              now: float | None = None) -> None:
        """Workers gone (quit, or missing for LOST_AFTER s): ``lost`` during the load, ``left``
        before."""
        now = time.monotonic() if now is None else now
        for client_id, worker in list(self.workers.items()):
            client = clients.get(client_id)
            missing = client is not None and getattr(client, "state", None) == MISSING
            since = self.missing_since.setdefault(client_id, now) if missing else None
            if not missing:
                self.missing_since.pop(client_id, None)
            if client is None or (since is not None and now - since >= LOST_AFTER):
                del self.workers[client_id]
                if load_running:
                    self.write("lost", client_id, worker)
                elif not load_started:
                    self.write("left", client_id, worker)
