"""The Locust side's settings: environment variables, each parsed by loadgate's parser for it.

loadgate sets most of them for Locust (stack/locust_argv.py); the final-scrape and master
timeouts are inherited from the user's environment.  A value that does not parse is one line in
Locust's log, which loadgate shows, naming the variable and the default used instead: before, a
bare ``float()`` raised at init or at quit, a traceback in the middle of Locust's output.  The
parsers are units.py's (pure, standard library only), the same the command line's options use.
"""

from __future__ import annotations

import logging
import os
from typing import Callable, TypeVar

from loadgate.units import parse_port, parse_seconds

log = logging.getLogger("loadgate.exporter")
T = TypeVar("T")
RUN_ID = os.environ.get("LOADGATE_RUN_ID", "") or "adhoc"  # a label on every series
OWN_SCRAPER = os.environ.get("LOADGATE_OWN_SCRAPER") == "1"  # loadgate's Prometheus scrapes (scrape.py)


def setting(name: str, parse: Callable[[str], T], default: T) -> T:
    """``$name`` parsed by ``parse``; ``default`` when it is unset, empty or does not parse."""
    text = os.environ.get(name, "")
    if not text.strip():
        return default
    try:
        return parse(text)
    except ValueError as exc:
        instead = "unset" if default is None else f"the default, {default}"
        log.error("loadgate exporter: %s=%.60r is not valid (%s): taken as %s", name, text, exc, instead)
        return default


def seconds(name: str, default: float | None) -> float | None:
    return setting(name, parse_seconds, default)


def port(name: str, default: int) -> int:
    return setting(name, parse_port, default)
