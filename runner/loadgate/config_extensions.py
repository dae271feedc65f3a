"""slo.yaml keys beyond the first release, on every objective (docs/slo-extensions.md).

``each``, ``max_regression``, ``min_ratio``, ``abort_on_fail``, ``after`` and ``for``; all optional,
so every version 1 file keeps its meaning.  Checks that involve the SLI run after pydantic, so the
error names the exact key and its line.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from loadgate.errors import ConfigError
from loadgate.model import RequestSelector
from loadgate.patterns import compile_selector
from loadgate.units import format_seconds, parse_duration


def parse_regression(value: object) -> float:
    """``10%`` or ``0.1`` -> 0.1; above 100 % is allowed (``150%``), negative is not."""
    if isinstance(value, bool):
        raise ValueError(f"expected a percentage like 10% or a fraction like 0.1, got {value!r}")
    text = str(value).strip()
    try:
        fraction = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ValueError(f"expected a percentage like 10% or a fraction like 0.1, got {value!r}") from None
    if fraction < 0:
        raise ValueError(f"a regression limit cannot be negative, got {value!r}")
    return fraction


Duration = Annotated[float, BeforeValidator(parse_duration)]
Regression = Annotated[float, BeforeValidator(parse_regression)]


class Extensions(BaseModel):
    """Mixed into every objective model in config.py."""

    model_config = ConfigDict(extra="forbid")

    each: bool = False
    max_regression: Regression | None = None
    min_ratio: float | None = Field(None, gt=0)
    abort_on_fail: bool = False
    after: Duration | None = Field(None, ge=0)
    for_: Duration | None = Field(None, alias="for", gt=0)


RULES = (
    ("max_regression", lambda s: s.sli in ("latency", "error_rate"),
     "max_regression applies to latency and error_rate (use min_ratio for throughput)"),
    ("min_ratio", lambda s: s.sli == "throughput",
     "min_ratio applies to throughput (use max_regression for latency and error_rate)"),
    ("each", lambda s: s.sli != "promql", "each applies to latency, error_rate and throughput"),
    ("after", lambda s: s.abort_on_fail, "after is the grace period of abort_on_fail: true"),
)


def check(slo: Any, index: int, root: yaml.Node, path: str, locate) -> None:
    """Cross-key rules; a ConfigError names the file, the key's line and the key."""
    for key, allowed, message in RULES:
        if getattr(slo, key) not in (None, False) and not allowed(slo):
            raise ConfigError(message, path=path, line=locate(root, ("slos", index, key)),
                              key=f"slos[{index}].{key}")
    if slo.request and RequestSelector.parse(slo.request).kind == "regex":
        try:
            compile_selector(RequestSelector.parse(slo.request))
        except re.error as exc:
            raise ConfigError(f"invalid regular expression: {exc}", path=path,
                              line=locate(root, ("slos", index, "request")),
                              key=f"slos[{index}].request") from None


def objective_fields(slo: Any) -> dict:
    """The extension keys as :class:`loadgate.model.Objective` fields."""
    return dict(each=slo.each, max_regression=slo.max_regression, min_ratio=slo.min_ratio,
                abort_on_fail=slo.abort_on_fail, after=slo.after or 0.0, sustain=slo.for_)


def name_suffix(slo: Any) -> str:
    return f" for {format_seconds(slo.for_)}" if slo.for_ else ""
