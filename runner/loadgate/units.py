"""Parsing and formatting of the units slo.yaml speaks: times, rates, throughput."""

from __future__ import annotations

import math
import re

_TIME_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_TIME_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_THROUGHPUT_UNITS = {"/s": 1.0, "/m": 1 / 60, "/h": 1 / 3600}


def _shown(value: object, limit: int = 60) -> str:
    """A value as an error message quotes it: repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def finite_number(value: object) -> float:
    """A number (or a numeric string) that is neither a boolean, NaN nor infinite."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {_shown(value)}")
    if isinstance(value, (int, float, str)):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            raise ValueError(f"expected a number, got {_shown(value)}") from None
        if not math.isfinite(number):
            raise ValueError(f"expected a finite number, got {_shown(value)}")
        return number
    return value  # type: ignore[return-value]  # the schema reports the wrong type


def parse_port(value: object) -> int:
    """A TCP port, 1-65535 (``LOADGATE_*_PORT``, ``--master-port``)."""
    try:
        port = int(str(value).strip())
    except ValueError:
        raise ValueError(f"expected a port number, got {_shown(value)}") from None
    if not 0 < port < 65536:
        raise ValueError(f"port {port} out of range (1-65535)")
    return port


def whole_number(value: object) -> object:
    """Booleans are refused where a count is expected (YAML's ``true`` is not 1 user)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {_shown(value)}")
    return value


def _finite(number: float, value: object, example: str) -> float:
    if not math.isfinite(number):
        raise ValueError(f"expected {example}, got {_shown(value)} (not a finite number)")
    return number


def parse_duration(value: object, *, allow_bare_zero: bool = True) -> float:
    """``300ms``, ``30s``, ``5m``, ``1h30m`` -> seconds.  A bare number needs a unit (except 0)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a time like 30s or 300ms, got {_shown(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a time like 30s or 300ms, got {_shown(value)}")
    if isinstance(value, (int, float)):
        if value == 0 and allow_bare_zero:
            return 0.0
        raise ValueError(f"{_shown(value)} needs a unit: ms, s, m or h (e.g. {value}s)")
    text = str(value).strip().replace(" ", "")
    if not text or _TIME_PART.sub("", text):
        raise ValueError(f"expected a time like 30s, 5m, 1h30m or 300ms, got {_shown(value)}")
    seconds = sum(float(n) * _TIME_UNITS[u] for n, u in _TIME_PART.findall(text))
    return _finite(seconds, value, "a time like 30s, 5m, 1h30m or 300ms")


def parse_seconds(value: object) -> float:
    """A length of time, not negative: a time like ``15s`` or ``500ms`` (:func:`parse_duration`),
    or a bare number of seconds (``15``, ``2.5``: how loadgate hands the Locust side its plan's
    warm-up and duration, and how the exporter's own timeouts were always set)."""
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        seconds = parse_duration(text)
    _finite(seconds, value, "a time like 15s or a number of seconds")
    if seconds < 0:
        raise ValueError(f"a time cannot be negative, got {_shown(value)}")
    return seconds


def parse_fraction(value: object, example: str) -> float:
    """``10%`` or ``0.1`` -> 0.1 (any size; the callers bound it)."""
    if isinstance(value, bool):
        raise ValueError(f"expected {example}, got {_shown(value)}")
    text = str(value).strip()
    try:
        number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ValueError(f"expected {example}, got {_shown(value)}") from None
    return _finite(number, value, example)


def parse_rate(value: object) -> float:
    """``1%`` or ``0.01`` -> 0.01 (a fraction between 0 and 1)."""
    fraction = parse_fraction(value, "a rate like 1% or 0.01")
    if not 0 <= fraction <= 1:
        raise ValueError(f"a rate must be between 0 and 1 (0% and 100%), got {_shown(value)}")
    return fraction


def parse_regression(value: object) -> float:
    """``10%`` or ``0.1`` -> 0.1; above 100 % is allowed (``150%``), negative is not."""
    fraction = parse_fraction(value, "a percentage like 10% or a fraction like 0.1")
    if fraction < 0:
        raise ValueError(f"a regression limit cannot be negative, got {_shown(value)}")
    return fraction


def parse_confidence(value: object) -> float:
    """``95%`` or ``0.95`` -> 0.95; strictly between 50 % and 100 %."""
    fraction = parse_fraction(value, "a confidence like 95% or 0.95")
    if not 0.5 < fraction < 1:
        raise ValueError(f"a confidence must lie between 50% and 100% (both excluded), got {value!r}")
    return fraction


def parse_throughput(value: object) -> float:
    """``50/s``, ``3000/m`` or a bare number (per second) -> requests per second."""
    if isinstance(value, bool):
        raise ValueError(f"expected a throughput like 50/s, got {_shown(value)}")
    text = str(value).strip().replace(" ", "")
    unit = next((u for u in _THROUGHPUT_UNITS if text.endswith(u)), "")
    try:
        number = float(text[: len(text) - len(unit)])
    except ValueError:
        raise ValueError(f"expected a throughput like 50/s, got {_shown(value)}") from None
    _finite(number, value, "a throughput like 50/s")
    if number < 0:
        raise ValueError(f"a throughput cannot be negative, got {_shown(value)}")
    return number * _THROUGHPUT_UNITS.get(unit, 1.0)


def format_number(value: float) -> str:
    """Short, stable rendering: 300, 41.2, 0.0123."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}" if abs(value) < 1 else f"{value:.1f}"


def format_percentile(percentile: float) -> str:
    """``95``, ``99.9``, ``99.99999``: every digit given, never rounded up to 100."""
    text = repr(float(percentile))
    return text[:-2] if text.endswith(".0") else text


def format_ms(value: float | None, missing: str = "–") -> str:
    """A latency in a table cell: ``41.2`` (milliseconds, one decimal), ``missing`` for none."""
    return missing if value is None else f"{value:.1f}"


def format_seconds(seconds: float) -> str:
    if seconds and seconds < 1:
        return f"{format_number(seconds * 1000)}ms"
    parts, rest = [], seconds
    for unit, size in (("h", 3600), ("m", 60)):
        if rest >= size:
            parts.append(f"{int(rest // size)}{unit}")
            rest -= (rest // size) * size
    if rest or not parts:
        parts.append(f"{format_number(rest)}s")
    return "".join(parts)
