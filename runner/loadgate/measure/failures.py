"""Why requests failed and where the locustfile's own code raised, read from Prometheus at the
final scrape (the exporter's failure_reasons.py counts them inside Locust)."""

from __future__ import annotations

from loadgate.measure import promql
from loadgate.measure.reader import Reader
from loadgate.model import FailureReason, UserError


def read(reader: Reader) -> tuple[tuple[FailureReason, ...], tuple[UserError, ...]]:
    """Failure reasons in the window and user-code exceptions of the run, most frequent first."""
    answers = reader.concurrently({"reasons": promql.window_failure_reasons(),
                                   "errors": promql.user_errors()})
    reasons = [FailureReason(m.get("method", ""), m.get("name", ""), m.get("reason", ""), int(v))
               for m, v in answers["reasons"] if v > 0]
    errors = [UserError(m.get("type", ""), m.get("message", ""), m.get("location", ""),
                        m.get("effect", ""), int(v)) for m, v in answers["errors"] if v > 0]
    reasons.sort(key=lambda r: (-r.count, r.method, r.name, r.reason))
    errors.sort(key=lambda e: (e.effect == "continued", -e.count, e.type, e.location))
    return tuple(reasons), tuple(errors)
