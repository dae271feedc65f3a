"""Endpoint patterns in ``request:`` and ``each: true`` expansion (pure: names in, objectives out).

- exact: ``GET /items`` or ``/items`` (any method), as in slo.yaml version 1;
- glob: a ``*`` in the name matches any characters, ``/`` included (``GET /api/*``); every other
  character is literal, so Locust names such as ``/items/[id]`` stay exact;
- regex: ``re:^POST /orders/\\d+`` is searched (Python ``re``) in ``"METHOD name"``.

An exact ``GET /users`` is read two ways, since Locust names often begin with a method word
themselves (``name="GET /users"``): method ``GET`` and name ``/users``, or any method and the
name ``GET /users``.  It is resolved like a pattern, so that both readings are one union.

A pattern is resolved against the requests seen in the evaluation window: an objective without
``each`` judges all matching requests together, one with ``each`` becomes one objective per match.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from typing import Iterable

from loadgate.model import Objective, RequestSelector


def glob_regex(pattern: str) -> re.Pattern:
    return re.compile("".join(".*" if part == "*" else re.escape(part)
                              for part in re.split(r"(\*)", pattern)) + r"\Z", re.DOTALL)


def compile_selector(selector: RequestSelector) -> re.Pattern:
    """The regex a selector's request is matched with (raises re.error for a bad ``re:``)."""
    if selector.kind == "regex":
        return re.compile(selector.name)
    if selector.kind == "glob":
        return glob_regex(selector.name)
    return re.compile(re.escape(selector.name) + r"\Z")


def matches(selector: RequestSelector, method: str, name: str) -> bool:
    if selector.kind == "regex":
        return compile_selector(selector).search(f"{method} {name}") is not None
    if selector.kind == "exact" and selector.method is not None and name == str(selector):
        return True  # the Locust name itself begins with the method word
    if selector.method is not None and selector.method != method:
        return False
    return compile_selector(selector).match(name) is not None


def is_pattern(objective: Objective) -> bool:
    """Resolved against the requests seen: patterns, ``each``, and exact names with a method."""
    request = objective.request
    return objective.each or (request is not None and (request.kind != "exact" or request.method is not None))


def closest(selector: RequestSelector, seen: Iterable[tuple[str, str]], limit: int = 5) -> str:
    """The requests seen, closest to ``selector`` first (difflib), for a "no data" message."""
    labels = sorted({f"{m} {n}" for m, n in seen})
    if not labels:
        return "no requests were seen in the window"
    ranked = sorted(labels, key=lambda label: (-difflib.SequenceMatcher(None, str(selector), label)
                                               .ratio(), label))
    more = f" and {len(ranked) - limit} more" if len(ranked) > limit else ""
    return "requests seen, closest first: " + ", ".join(ranked[:limit]) + more


def matching(objective: Objective, seen: Iterable[tuple[str, str]]) -> list[RequestSelector]:
    """Exact selectors of the requests seen that the objective's ``request`` selects, sorted."""
    found = {(m, n) for m, n in seen
             if objective.request is None or matches(objective.request, m, n)}
    return [RequestSelector(name=n, method=m) for m, n in sorted(found)]


def expanded_name(objective: Objective, request: RequestSelector) -> str:
    """``p95 latency of GET /api/* <= 300 ms`` -> ``p95 latency of GET /api/users <= 300 ms``."""
    scope = f" of {objective.request}" if objective.request else ""
    if scope and scope in objective.name:
        return objective.name.replace(scope, f" of {request}", 1)
    if not scope and objective.name.startswith(objective.sli_words):
        words = objective.sli_words
        return f"{words} of {request}{objective.name[len(words):]}"
    return f"{objective.name} [{request}]"


def resolve(objectives: Iterable[Objective], seen: Iterable[tuple[str, str]]) -> list[Objective]:
    """Objectives as judged: patterns bound to the matching requests, ``each`` expanded."""
    seen = list(seen)
    resolved: list[Objective] = []
    for objective in objectives:
        if not is_pattern(objective) or objective.sli == "promql":
            resolved.append(objective)
            continue
        found = matching(objective, seen)
        if not objective.each:
            resolved.append(dataclasses.replace(objective, matched=tuple(found)))
            continue
        if not found:  # nothing to expand into: one testcase that fails with "no data"
            resolved.append(dataclasses.replace(objective, matched=()))
        resolved += [dataclasses.replace(objective, name=expanded_name(objective, r), request=r,
                                         each=False, matched=None, family=objective.name)
                     for r in found]
    return resolved
