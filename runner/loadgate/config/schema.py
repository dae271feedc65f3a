"""The schema of slo.yaml version 1 (pydantic models); cross-key rules are in slo_file.py."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from loadgate.units import (
    finite_number,
    parse_confidence,
    parse_duration,
    parse_rate,
    parse_regression,
    parse_throughput,
    whole_number,
)

# Limits that keep a generated or hostile file from taking the machine (docs/slo-yaml.md: "Limits").
MAX_SLOS = 1000
MAX_SCRAPE_JOBS = 100
MAX_TARGETS = 1000

Number = Annotated[float, BeforeValidator(finite_number)]  # no booleans, NaN or infinity
Count = Annotated[int, BeforeValidator(whole_number)]
Duration = Annotated[float, BeforeValidator(parse_duration)]
Rate = Annotated[float, BeforeValidator(parse_rate)]
Throughput = Annotated[float, BeforeValidator(parse_throughput)]
Latency = Annotated[float, BeforeValidator(lambda v: parse_duration(v) * 1000)]
Regression = Annotated[float, BeforeValidator(parse_regression)]
Confidence = Annotated[float, BeforeValidator(parse_confidence)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, allow_inf_nan=False)


class TargetSection(Strict):
    host: str | None = None


class LoadSection(Strict):
    users: Count | None = Field(None, ge=1)
    spawn_rate: Number | None = Field(None, gt=0)
    duration: Duration | None = Field(None, gt=0)
    warmup: Duration | None = Field(None, ge=0)
    workers: Count | None = Field(None, ge=0)  # 0 only with remote_workers
    remote_workers: Count | None = Field(None, ge=0)


class ScrapeSection(Strict):
    job: str = Field(min_length=1)
    targets: list[str] = Field(min_length=1, max_length=MAX_TARGETS)
    metrics_path: str = "/metrics"


class _Objective(Strict):
    name: str | None = None
    request: str | None = None
    # Optional keys on every objective: each, baselines, early abort, sliding windows.
    each: bool = False
    max_regression: Regression | None = None
    min_ratio: Number | None = Field(None, gt=0)
    confidence: Confidence | None = None
    abort_on_fail: bool = False
    after: Duration | None = Field(None, ge=0)
    for_: Duration | None = Field(None, alias="for", gt=0)

    @model_validator(mode="after")
    def _warn_before_max(self):
        warn, bound = getattr(self, "warn", None), getattr(self, "max", None)
        if warn is not None and bound is not None and warn > bound:
            raise ValueError("warn must not be above max")
        low = getattr(self, "min", None)
        if warn is not None and low is not None and bound is None and warn < low:
            raise ValueError("warn must not be below min")
        return self


class LatencySLO(_Objective):
    sli: Literal["latency"]
    percentile: Number = Field(gt=0, lt=100)
    max: Latency = Field(gt=0)
    warn: Latency | None = None


class ErrorRateSLO(_Objective):
    sli: Literal["error_rate"]
    max: Rate
    warn: Rate | None = None


class ThroughputSLO(_Objective):
    sli: Literal["throughput"]
    min: Throughput
    warn: Throughput | None = None


class PromqlSLO(_Objective):
    sli: Literal["promql"]
    query: str = Field(min_length=1)
    max: Number | None = None
    min: Number | None = None
    warn: Number | None = None

    @model_validator(mode="after")
    def _one_bound(self):
        if (self.max is None) == (self.min is None):
            raise ValueError("a promql objective needs exactly one of max or min")
        return self


AnySLO = Annotated[
    LatencySLO | ErrorRateSLO | ThroughputSLO | PromqlSLO, Field(discriminator="sli")
]


class SloFile(Strict):
    version: Literal[1]
    name: str = Field("loadgate", min_length=1)
    target: TargetSection = TargetSection()
    load: LoadSection = LoadSection()
    scrape: list[ScrapeSection] = Field([], max_length=MAX_SCRAPE_JOBS)
    slos: list[AnySLO] = Field(min_length=1, max_length=MAX_SLOS)


# Keys that only make sense with some SLIs: (key, allowed for this objective?, message).
RULES = (
    ("max_regression", lambda s: s.sli in ("latency", "error_rate"),
     "max_regression applies to latency and error_rate (use min_ratio for throughput)"),
    ("min_ratio", lambda s: s.sli == "throughput",
     "min_ratio applies to throughput (use max_regression for latency and error_rate)"),
    ("confidence", lambda s: s.max_regression is not None or s.min_ratio is not None,
     "confidence is the confidence of max_regression / min_ratio decisions"),
    ("each", lambda s: s.sli != "promql", "each applies to latency, error_rate and throughput"),
    ("after", lambda s: s.abort_on_fail, "after is the grace period of abort_on_fail: true"),
)
