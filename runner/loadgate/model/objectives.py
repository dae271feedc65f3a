"""What is judged: the SLOs of slo.yaml as objectives, and the requests they select."""

from __future__ import annotations

from dataclasses import dataclass

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
    # optional keys (docs/slo-yaml.md: "slo.yaml: more keys"); the defaults keep the first meaning
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
    def percentile_field(self) -> str:
        """A latency objective's column in results.json's interval figures, e.g. ``p95_ms``."""
        return f"p{self.percentile:g}_ms"

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
