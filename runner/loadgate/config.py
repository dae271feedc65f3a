"""slo.yaml version 1: parse, validate with pydantic, and name file, line and key on error."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from loadgate import config_extensions
from loadgate.config_extensions import Extensions
from loadgate.errors import ConfigError
from loadgate.model import Objective, RequestSelector, Scrape
from loadgate.units import format_number, parse_duration, parse_rate, parse_throughput

Duration = Annotated[float, BeforeValidator(parse_duration)]
Rate = Annotated[float, BeforeValidator(parse_rate)]
Throughput = Annotated[float, BeforeValidator(parse_throughput)]
Latency = Annotated[float, BeforeValidator(lambda v: parse_duration(v) * 1000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class TargetSection(Strict):
    host: str | None = None


class LoadSection(Strict):
    users: int | None = Field(None, ge=1)
    spawn_rate: float | None = Field(None, gt=0)
    duration: Duration | None = Field(None, gt=0)
    warmup: Duration | None = Field(None, ge=0)
    workers: int | None = Field(None, ge=1)


class ScrapeSection(Strict):
    job: str = Field(min_length=1)
    targets: list[str] = Field(min_length=1)
    metrics_path: str = "/metrics"


class _Objective(Strict, Extensions):
    name: str | None = None
    request: str | None = None

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
    percentile: float = Field(gt=0, lt=100)
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
    max: float | None = None
    min: float | None = None
    warn: float | None = None

    @model_validator(mode="after")
    def _one_bound(self):
        if (self.max is None) == (self.min is None):
            raise ValueError("a promql objective needs exactly one of max or min")
        return self


AnySLO = Annotated[
    Union[LatencySLO, ErrorRateSLO, ThroughputSLO, PromqlSLO], Field(discriminator="sli")
]


class SloFile(Strict):
    version: Literal[1]
    name: str = Field("loadgate", min_length=1)
    target: TargetSection = TargetSection()
    load: LoadSection = LoadSection()
    scrape: list[ScrapeSection] = []
    slos: list[AnySLO] = Field(min_length=1)


_UNITS = {"latency": "ms", "error_rate": "%", "throughput": "/s", "promql": ""}
_SLI_WORDS = {"error_rate": "error rate", "throughput": "throughput", "promql": "promql"}


def default_name(slo: Any, objective: Objective) -> str:
    word = f"p{format_number(slo.percentile)} latency" if slo.sli == "latency" else _SLI_WORDS[slo.sli]
    if slo.sli == "promql":
        word = slo.query
    scope = f" of {slo.request.strip()}" if slo.request else ""
    return f"{word}{scope} {objective.threshold}"


def to_objective(slo: Any, line: int | None) -> Objective:
    objective = Objective(
        name="", sli=slo.sli, unit=_UNITS[slo.sli], max=getattr(slo, "max", None),
        min=getattr(slo, "min", None), warn=slo.warn, percentile=getattr(slo, "percentile", None),
        request=RequestSelector.parse(slo.request) if slo.request else None,
        query=getattr(slo, "query", None), line=line, **config_extensions.objective_fields(slo),
    )
    name = (slo.name.strip() if slo.name and slo.name.strip()
            else default_name(slo, objective) + config_extensions.name_suffix(slo))
    return Objective(**{**objective.__dict__, "name": name})


class SloDocument:
    """A parsed, validated slo.yaml with its objectives and the lines they came from."""

    def __init__(self, path: Path, spec: SloFile, root: yaml.Node) -> None:
        self.path = path
        self.spec = spec
        for index, slo in enumerate(spec.slos):
            config_extensions.check(slo, index, root, str(path), locate)
        self.objectives = [
            to_objective(slo, locate(root, ("slos", i))) for i, slo in enumerate(spec.slos)
        ]
        self.scrapes = [Scrape(s.job, tuple(s.targets), s.metrics_path) for s in spec.scrape]
        self._check_unique_names()

    def _check_unique_names(self) -> None:
        seen: set[str] = set()
        for objective in self.objectives:
            if objective.name in seen:
                raise ConfigError(f"two SLOs are named {objective.name!r}; give one a `name:`",
                                  path=str(self.path), line=objective.line, key="slos")
            seen.add(objective.name)


def load_slo_file(path: Path) -> SloDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("SLO file not found (pass --slo PATH)", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the SLO file: {exc}", path=str(path)) from None
    root, data = _parse_yaml(path, text)
    try:
        spec = SloFile.model_validate(data)
    except ValidationError as exc:
        raise _config_error(path, root, exc.errors()[0]) from None
    return SloDocument(path, spec, root)


def _parse_yaml(path: Path, text: str) -> tuple[yaml.Node, Any]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"invalid YAML: {problem}", path=str(path),
                          line=mark.line + 1 if mark else None) from None
    if root is None:
        raise ConfigError("the file is empty; it needs `version: 1` and `slos:`", path=str(path))
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping with `version: 1` and `slos:` at the top",
                          path=str(path), line=root.start_mark.line + 1)
    return root, data


def _config_error(path: Path, root: yaml.Node, error: dict) -> ConfigError:
    loc = _without_tag(tuple(error["loc"]))
    key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    return ConfigError(_message(error), path=str(path), line=locate(root, loc), key=key or None)


def _without_tag(loc: tuple) -> tuple:
    """Drop the discriminator value pydantic inserts after ``slos[i]`` in an error location."""
    if len(loc) >= 3 and loc[0] == "slos" and isinstance(loc[1], int) and loc[2] in _UNITS:
        return loc[:2] + loc[3:]
    return loc


def _message(error: dict) -> str:
    kind, msg = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    if kind == "union_tag_invalid":
        return f"unknown sli {error['input'].get('sli')!r}; expected latency, error_rate, throughput or promql"
    if kind == "union_tag_not_found":
        return "every SLO needs `sli:` (latency, error_rate, throughput or promql)"
    if kind == "literal_error" and error["loc"] == ("version",):
        return f"unsupported version {error['input']!r}; this loadgate reads version 1"
    msg = msg.removeprefix("Value error, ")
    return f"{msg} (got {error['input']!r})" if "input" in error and not isinstance(error["input"], (dict, list)) else msg


def locate(root: yaml.Node, loc: tuple) -> int | None:
    """Line (1-based) of the key or item at ``loc``; the nearest existing parent otherwise."""
    node, line = root, root.start_mark.line + 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    child, line = value, key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            return line
        node = child
    return line
