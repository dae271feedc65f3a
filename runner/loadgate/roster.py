"""The roster of a run's Locust workers: who joined (with which versions), who was refused, who left.

Two sides, one file format (JSON lines):
- inside Locust, loadgate's exporter loads this file by path (as it loads redaction.py; nothing
  here imports locust): a worker greets its master with :func:`greeting`; the master checks it
  (:class:`Roll`) and appends what happened to ``$LOADGATE_ROSTER_FILE``;
- loadgate reads that file (:func:`read`) to hold the start barrier and to end a run whose worker
  was refused or lost (stack/remote.py).

Events: ``joined`` (a worker with the master's loadgate and Locust versions), ``refused`` (other
versions, or a worker without loadgate's exporter), ``left`` (gone before the load started),
``lost`` (gone while the load ran: its last requests may never reach the master).
"""

from __future__ import annotations

import json
import os
import socket
import time

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


def describe(worker: dict) -> str:
    """``worker 198.18.0.2 (host ci-7, pid 4242)``; local workers say so; one that never greeted
    is named by Locust's client id (``ci-7_3f2a...``: its host name and a random suffix)."""
    if "addr" not in worker:
        return f"worker {worker.get('id', '?')}"
    where = "local worker" if worker.get("local") else f"worker {worker.get('addr', '?')}"
    return f"{where} (host {worker.get('host', '?')}, pid {worker.get('pid', '?')})"


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
                out.write(json.dumps({"event": event, "id": client_id, "worker": worker, "why": why}) + "\n")

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


class Roster:
    """What loadgate reads back: workers present, refusals and losses.  (A plain class: Locust
    loads this file by path, outside ``sys.modules``, where dataclasses cannot be made.)"""

    def __init__(self) -> None:
        self.present: dict[str, dict] = {}
        self.refused: list[str] = []
        self.lost: list[dict] = []

    def count(self, local: bool) -> int:
        return sum(1 for w in self.present.values() if bool(w.get("local")) == local)


def read(path) -> Roster:
    roster = Roster()
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        return roster
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a line being written right now
        if event["event"] == "joined":
            roster.present[event["id"]] = event["worker"]
        elif event["event"] == "refused":
            roster.refused.append(event["why"])
        elif event["event"] in ("left", "lost"):
            roster.present.pop(event["id"], None)
            if event["event"] == "lost":
                roster.lost.append(event["worker"])
    return roster
