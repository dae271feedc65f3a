"""slo.yaml version 1: parse, validate with the schema, and name file, line and key on error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from loadgate.config import yaml_reader
from loadgate.config.schema import RULES, SloFile
from loadgate.errors import ConfigError
from loadgate.model import Objective, RequestSelector, Scrape
from loadgate.patterns import compile_selector
from loadgate.units import format_seconds

_UNITS = {"latency": "ms", "error_rate": "%", "throughput": "/s", "promql": ""}


def default_name(slo: Any, objective: Objective) -> str:
    """``p95 latency of GET /items <= 300 ms`` (``for 30s`` appended for a sliding window)."""
    scope = f" of {slo.request.strip()}" if slo.request else ""
    sliding = f" for {format_seconds(slo.for_)}" if slo.for_ else ""
    return f"{objective.sli_words}{scope} {objective.threshold}{sliding}"


def to_objective(slo: Any, line: int | None) -> Objective:
    objective = Objective(
        name="", sli=slo.sli, unit=_UNITS[slo.sli], max=getattr(slo, "max", None),
        min=getattr(slo, "min", None), warn=slo.warn, percentile=getattr(slo, "percentile", None),
        request=RequestSelector.parse(slo.request) if slo.request else None,
        query=getattr(slo, "query", None), line=line, each=slo.each,
        max_regression=slo.max_regression, min_ratio=slo.min_ratio, abort_on_fail=slo.abort_on_fail,
        after=slo.after or 0.0, sustain=slo.for_,
        confidence=slo.confidence if slo.confidence is not None else 0.95,
    )
    name = slo.name.strip() if slo.name and slo.name.strip() else default_name(slo, objective)
    return Objective(**{**objective.__dict__, "name": name})


def check_rules(slo: Any, index: int, root: yaml.Node, path: str) -> None:
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


class SloDocument:
    """A parsed, validated slo.yaml with its objectives and the lines they came from."""

    def __init__(self, path: Path, spec: SloFile, root: yaml.Node) -> None:
        self.path = path
        self.spec = spec
        for index, slo in enumerate(spec.slos):
            check_rules(slo, index, root, str(path))
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
    root, data = yaml_reader.parse(path, yaml_reader.read_text(path))
    if root is None:
        raise ConfigError("the file is empty; it needs `version: 1` and `slos:`", path=str(path))
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping with `version: 1` and `slos:` at the top",
                          path=str(path), line=root.start_mark.line + 1)
    try:
        spec = SloFile.model_validate(data)
    except ValidationError as exc:
        raise _config_error(path, root, exc.errors()[0]) from None
    return SloDocument(path, spec, root)


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
        return f"unknown sli {_short(error['input'].get('sli'))}; expected latency, error_rate, throughput or promql"
    if kind == "union_tag_not_found":
        return "every SLO needs `sli:` (latency, error_rate, throughput or promql)"
    if kind == "literal_error" and error["loc"] == ("version",):
        return f"unsupported version {_short(error['input'])}; this loadgate reads version 1"
    msg = msg.removeprefix("Value error, ")
    if "input" not in error or isinstance(error["input"], (dict, list)) or "got " in msg:
        return msg
    return f"{msg} (got {_short(error['input'])})"


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


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
