"""The roster file: the JSON lines in which a run's Locust master says which workers joined, were
refused, left or were lost (``$LOADGATE_ROSTER_FILE``).

One format, two sides: the master writes it from inside Locust (locust_side/roster.py, with
:func:`line`), loadgate reads it back (:func:`read`) to hold the start barrier and to end a run
whose worker was refused or lost (stack/remote.py).  Pure: nothing here imports locust.

Events: ``joined`` (a worker with the master's loadgate and Locust versions), ``refused`` (other
versions, or a worker without loadgate's exporter), ``left`` (gone before the load started),
``lost`` (gone while the load ran: its last requests may never reach the master).
"""

from __future__ import annotations

import json
from pathlib import Path


def line(event: str, client_id: str, worker: dict, why: str = "") -> str:
    """One event, as the master appends it to the roster file."""
    return json.dumps({"event": event, "id": client_id, "worker": worker, "why": why}) + "\n"


def describe(worker: dict) -> str:
    """``worker 198.18.0.2 (host ci-7, pid 4242)``; local workers say so; one that never greeted
    is named by Locust's client id (``ci-7_3f2a...``: its host name and a random suffix)."""
    if "addr" not in worker:
        return f"worker {worker.get('id', '?')}"
    where = "local worker" if worker.get("local") else f"worker {worker.get('addr', '?')}"
    return f"{where} (host {worker.get('host', '?')}, pid {worker.get('pid', '?')})"


class Roster:
    """What loadgate reads back: workers present, refusals and losses."""

    def __init__(self) -> None:
        self.present: dict[str, dict] = {}
        self.refused: list[str] = []
        self.lost: list[dict] = []

    def count(self, local: bool) -> int:
        return sum(1 for w in self.present.values() if bool(w.get("local")) == local)


def read(path) -> Roster:
    roster = Roster()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return roster
    for text in lines:
        try:
            event = json.loads(text)
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
