"""Remote workers as the local stack sees them: the start barrier and the roster's verdicts.

The Locust master's exporter writes the roster file (roster_file.py): who joined, who was refused
(other loadgate or Locust versions, or no loadgate exporter), who was lost during the load.  Here that
becomes a bounded wait before the load and an InfraError naming the worker when something is wrong.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from loadgate import roster_file as roster
from loadgate.config.plan import Plan
from loadgate.errors import InfraError
from loadgate.stack.processes import Child


def local_connect_host(bind: str) -> str:
    """Where this host's own workers reach a master bound to ``bind``."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(bind, bind)


def check(roster_file: Path) -> roster.Roster:
    """Raise InfraError for the first refused or lost worker; return the roster."""
    present = roster.read(roster_file)
    if present.refused:
        raise InfraError(f"refused {present.refused[0]}")
    if present.lost:
        raise InfraError(f"{roster.describe(present.lost[0])} was lost during the load (it quit or "
                         "stopped sending heartbeats): what it had not reported yet is missing, so the "
                         "verdict is unknown")
    return present


def wait_for_workers(plan: Plan, roster_file: Path, master: Child) -> None:
    """Return once every local and remote worker has joined; InfraError after the bounded wait."""
    deadline = time.monotonic() + plan.remote_workers_wait
    while True:
        present = check(roster_file)
        remote, local = present.count(local=False), present.count(local=True)
        if remote >= plan.remote_workers and local >= plan.workers:
            return
        if master.exited_within(0.1):
            raise InfraError(master.explained(f"the Locust master exited with code {master.poll()} "
                                              "while waiting for its workers"))
        if time.monotonic() > deadline:
            # Locust ignores SIGINT while it waits for workers, and has no SIGTERM handler yet:
            # SIGTERM ends it at once (its workers notice the silence), SIGINT would cost 5 s.
            if master.send(signal.SIGTERM):
                master.exited_within(3)
            raise InfraError(missing_message(plan, present, remote, local))


def missing_message(plan: Plan, present: roster.Roster, remote: int, local: int) -> str:
    came = [roster.describe(w) for w in present.present.values() if not w.get("local")]
    text = (f"only {remote} of {plan.remote_workers} remote workers connected within "
            f"{plan.remote_workers_wait:g} s" + (f" ({', '.join(came)})" if came else ""))
    if local < plan.workers:
        text += f", and {local} of {plan.workers} local ones"
    return (text + f": start them with `loadgate worker --master-host ADDR --master-port "
            f"{plan.master_port}` where ADDR is this host's address in --master-bind "
            f"({plan.master_bind}), and check that they can reach it")
