"""Plain data passed between the stages: objectives in, figures and verdicts out."""

from __future__ import annotations

from dataclasses import dataclass, field

from loadgate.status import Status, exit_status
from loadgate.units import format_number, format_percentile


@dataclass(frozen=True)
class RequestSelector:
    """``GET /items`` (method and name) or ``/items`` (any method); patterns: see patterns.py.

    ``kind`` is ``exact``, ``glob`` (``*`` in the name) or ``regex`` (``re:`` prefix, matched
    against ``"METHOD name"``).
    """

    name: str
    method: str | None = None
    kind: str = "exact"

    @classmethod
    def parse(cls, text: str) -> RequestSelector:
        if text.strip().startswith("re:"):
            return cls(name=text.strip()[3:], kind="regex")
        head, _, tail = text.strip().partition(" ")
        if tail and head.isupper() and head.isalpha():
            return cls(name=tail.strip(), method=head, kind="glob" if "*" in tail else "exact")
        return cls(name=text.strip(), kind="glob" if "*" in text else "exact")

    def __str__(self) -> str:
        if self.kind == "regex":
            return f"re:{self.name}"
        return f"{self.method} {self.name}" if self.method else self.name


@dataclass(frozen=True)
class Objective:
    """One SLO.  Thresholds are in the SLI's unit: ms, a fraction, requests/s or a bare number."""

    name: str
    sli: str  # latency | error_rate | throughput | promql
    unit: str  # ms | % | /s | ""
    max: float | None = None
    min: float | None = None
    warn: float | None = None
    percentile: float | None = None
    request: RequestSelector | None = None
    query: str | None = None
    line: int | None = None
    # optional keys (README: "slo.yaml: more keys"); the defaults keep the first meaning
    each: bool = False  # one testcase per request matching ``request``
    max_regression: float | None = None  # fraction above the baseline allowed
    min_ratio: float | None = None  # fraction of the baseline's throughput required
    abort_on_fail: bool = False
    after: float = 0.0  # abort grace, seconds from the start of the load
    sustain: float | None = None  # ``for:`` seconds: judged over sliding windows this long
    matched: tuple[RequestSelector, ...] | None = None  # a pattern resolved to exact requests
    confidence: float = 0.95  # of max_regression / min_ratio decisions
    family: str | None = None  # the objective an `each:` expanded this one from (Holm family)

    @property
    def bound(self) -> float:
        return self.max if self.max is not None else self.min  # type: ignore[return-value]

    @property
    def comparator(self) -> str:
        return "<=" if self.max is not None else ">="

    def format_value(self, value: float) -> str:
        if self.unit == "%":
            return f"{format_number(round(value * 100, 4))}%"
        if self.unit == "ms":
            return f"{format_number(value)} ms"
        return f"{format_number(value)}{self.unit}"

    @property
    def threshold(self) -> str:
        return f"{self.comparator} {self.format_value(self.bound)}"

    @property
    def sli_words(self) -> str:
        """The SLI in words, the one wording every name and message uses: ``p95 latency``."""
        if self.sli == "latency":
            return f"p{format_percentile(self.percentile)} latency"
        if self.sli == "promql":
            return self.query or "promql"
        return self.sli.replace("_", " ")

    def describe(self) -> str:
        """The SLI of this objective, as in a failure message: ``p95 latency of GET /items``."""
        if self.sli == "promql":
            return self.name
        return f"{self.sli_words} of {self.request}" if self.request else self.sli_words

    @property
    def scope(self) -> str:
        return str(self.request) if self.request else "all"


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


@dataclass(frozen=True)
class Comparison:
    """One objective against the baseline run; values in the SLI's unit (ms, fraction, /s)."""

    baseline: float | None
    now: float | None
    change: float | None  # relative: 0.12 is 12 % above the baseline
    limit: str  # "+10%" or "x0.9"
    status: Status
    message: str
    decision: str = ""  # fail | pass | inconclusive (judge/significance.py)
    low: float | None = None  # confidence interval of the change, relative like `change`
    high: float | None = None
    confidence: float | None = None  # the interval's two-sided level (None: single numbers)
    basis: str = ""  # how it was judged: intervals and runs compared, or single numbers
    settle: str = ""  # inconclusive: what would settle it
    runs: int = 1  # baseline runs compared with


@dataclass(frozen=True)
class Abort:
    """Which objective cut the run short, and when."""

    objective: str
    at: float  # unix seconds
    elapsed: float  # seconds since the start of the load
    message: str


@dataclass(frozen=True)
class Result:
    objective: Objective
    status: Status
    measured: float | None
    message: str
    comparison: Comparison | None = None
    reasons: tuple[FailureReason, ...] = ()  # error-rate objectives: why their requests failed


@dataclass
class Verdict:
    status: Status  # PASS, FAIL or ERROR
    results: list[Result]
    measurements: Measurements | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    aborted: Abort | None = None
    interrupted_by: int | None = None  # 130 / 143: the exit code a signal gave the run

    @property
    def exit_code(self) -> int:
        return self.interrupted_by if self.interrupted_by is not None else exit_status(self.status)
