"""What was measured: the window, the figures of every request and interval, why requests failed."""

from __future__ import annotations

from dataclasses import dataclass, field

from loadgate.model.objectives import Objective


@dataclass(frozen=True)
class Scrape:
    job: str
    targets: tuple[str, ...]
    metrics_path: str = "/metrics"


@dataclass(frozen=True)
class Window:
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return max(self.end - self.start, 0.0)


@dataclass(frozen=True)
class Stall:
    """A stretch of the window (unix seconds) in which Locust's event loop was blocked in a
    process running users (``blocked``), or no request completed while users ran."""

    start: float
    end: float
    unanswered: float  # the longest time Locust did not answer Prometheus' scrapes within it
    blocked: bool = False

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def describe(self, window: Window) -> str:
        where = (f"from {self.start - window.start:.1f} s to {self.end - window.start:.1f} s into "
                 "the window")
        if self.blocked:
            return (f"a task blocked Locust's event loop for {self.unanswered:.1f} s ({where}; "
                    "time.sleep or I/O that gevent does not patch, CPU-bound code): the users of "
                    "that process made no request meanwhile and the figures over that stretch "
                    "are unreliable")
        silent = (f"; Locust did not answer Prometheus for {self.unanswered:.1f} s of it (a "
                  "blocked event loop?)" if self.unanswered >= 1.0 else "")
        return (f"no request completed for {self.seconds:.1f} s while users ran ({where}){silent}; "
                "the figures over that stretch are unreliable")


@dataclass(frozen=True)
class RequestFigures:
    method: str | None
    name: str | None
    requests: int
    failures: int
    rps: float
    p50_ms: float | None
    p90_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    intervals: Intervals | None = None  # the same figures per short interval of the window


@dataclass(frozen=True)
class Intervals:
    """Figures per short interval of the window (measure/intervals.py), so that runs compare as
    distributions (judge/significance.py).  One value per interval in every column."""

    seconds: float  # nominal length of each interval
    starts: tuple[float, ...]  # unix seconds
    requests: tuple[int, ...]
    failures: tuple[int, ...]
    rps: tuple[float, ...]
    latency: dict[str, tuple[float | None, ...]]  # "p95_ms" -> ms (None: no requests then)


@dataclass(frozen=True)
class FailureReason:
    """Failed requests of one request with one error text (Locust's, grouped as Locust groups it)."""

    method: str
    name: str
    reason: str
    count: int

    def describe(self) -> str:
        return f"{self.count} x {self.method} {self.name}: {self.reason}"


@dataclass(frozen=True)
class UserError:
    """An exception the locustfile's own code raised, ``count`` times over the whole run.

    ``effect``: ``stopped_user`` (in ``on_start``: Locust stops that user), ``continued`` (in a
    task: the user goes on) or ``stopped_load`` (``sys.exit()`` in a task).
    """

    type: str
    message: str
    location: str
    effect: str
    count: int

    def describe(self) -> str:
        what = f"{self.type}: {self.message}" if self.message else self.type
        if self.effect == "stopped_user":
            outcome = f"stopped {self.count} user{'s' if self.count != 1 else ''}"
        elif self.effect == "stopped_load":
            outcome = "stopped the load"
        else:
            outcome = f"raised {self.count} time{'s' if self.count != 1 else ''} (the users went on)"
        return f"{what} at {self.location} {outcome}"


@dataclass(frozen=True)
class Timeline:
    """Figures over the load for charts, one value per step (None: no data at that instant).

    ``series`` keys: p50_ms, p95_ms, p99_ms, rps, failures_per_s, users.
    """

    start: float  # unix seconds of the load start
    step: float
    times: tuple[float, ...]
    series: dict[str, tuple[float | None, ...]]
    first_scrape: float | None = None  # set when the leading gap holds averages up to this time


@dataclass(frozen=True)
class Measurements:
    """Everything read from Prometheus for one run."""

    window: Window
    totals: RequestFigures
    requests: tuple[RequestFigures, ...]
    sli_values: dict[str, float | None]  # objective name -> measured value (None: no data)
    notes: dict[str, str] = field(default_factory=dict)  # objective name -> why there is no value
    locust_requests: int | None = None
    timeline: Timeline | None = None  # charts only (report.html); never judged
    objectives: tuple[Objective, ...] = ()  # as judged: patterns resolved, `each` expanded
    sustained: dict[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)  # for:
    intervals: dict[str, Intervals] = field(default_factory=dict)  # objectives with a baseline limit
    failure_reasons: tuple[FailureReason, ...] = ()  # in the window, most frequent first
    user_errors: tuple[UserError, ...] = ()  # over the whole run, most frequent first
    stalls: tuple[Stall, ...] = ()  # no request completed while users ran (measure/stalls.py)
    warnings: tuple[str, ...] = ()  # about the run itself (e.g. too many request names)
