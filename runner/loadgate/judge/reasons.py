"""Failure reasons and the locustfile's own exceptions, as the verdict tells them (pure).

An error-rate objective's result carries the failure reasons of the requests it selects; a run
whose users crashed (an exception in ``on_start``) or whose code stopped the load (``sys.exit()``
in a task) says so in the verdict's notes and in every "no data" message.
"""

from __future__ import annotations

from typing import Iterable

from loadgate import patterns
from loadgate.model import FailureReason, Objective, RequestSelector, UserError

TOP = 5  # reasons and exceptions shown where space is short (console, JUnit message body)


def selects(objective: Objective, method: str, name: str) -> bool:
    if objective.matched is not None:
        return RequestSelector(name=name, method=method) in objective.matched
    return objective.request is None or patterns.matches(objective.request, method, name)


def for_objective(objective: Objective, reasons: Iterable[FailureReason]) -> tuple[FailureReason, ...]:
    """The failure reasons of an error-rate objective's requests, most frequent first."""
    if objective.sli != "error_rate":
        return ()
    return tuple(r for r in reasons if selects(objective, r.method, r.name))


def crashed(user_errors: Iterable[UserError]) -> str | None:
    """"2 users crashed: ValueError: ... at loadtest.py:20 stopped 2 users" when users stopped."""
    stopped = [e for e in user_errors if e.effect == "stopped_user"]
    if not stopped:
        return None
    users = sum(e.count for e in stopped)
    return (f"{users} user{'s' if users != 1 else ''} crashed: "
            + "; ".join(e.describe() for e in stopped[:TOP]))


def stopped_load(user_errors: Iterable[UserError]) -> str | None:
    """Why the locustfile's own code stopped the load (``sys.exit()`` in a task), if it did."""
    stops = [e for e in user_errors if e.effect == "stopped_load"]
    if not stops:
        return None
    first = stops[0]
    return (f"the locustfile stopped the load: {first.message} at {first.location} "
            "(sys.exit() ends Locust; raise locust.exception.StopUser to stop one user)")


def notes(user_errors: tuple[UserError, ...]) -> list[str]:
    """The verdict's notes: crashed users, then the other exceptions the locustfile raised."""
    lines = [text for text in (stopped_load(user_errors), crashed(user_errors)) if text]
    went_on = [e for e in user_errors if e.effect == "continued"]
    if went_on:
        lines.append("the locustfile's code raised: " + "; ".join(e.describe() for e in went_on[:TOP])
                     + (f"; and {len(went_on) - TOP} more" if len(went_on) > TOP else ""))
    return lines
