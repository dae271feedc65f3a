"""The Prometheus text exposition format of the exporter's figures, for a Prometheus without the
native histogram feature (or a person with curl): counters and gauges, no histogram (classic
buckets cannot be both sparse and summed across names).

Pure and free of Locust.
"""

from __future__ import annotations

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
NO_HISTOGRAM = ("# loadgate_request_duration_seconds is served as a native histogram only, in the "
                "protobuf format: start Prometheus with --enable-feature=native-histograms\n")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def labels(names: tuple[str, ...], values: tuple[str, ...]) -> str:
    return ",".join(f'{n}="{_escape(v)}"' for n, v in zip(names, values))


def exposition(tally, gauges: list[tuple[str, str, float]], counters, run_id: str) -> str:
    """The request counters of ``tally`` (tally.py), the ``gauges`` (name, help, value) and the
    prometheus-client counter ``families``, every series labelled with ``run_id``."""
    run = labels(("run_id",), (run_id,))
    lines = [NO_HISTOGRAM]
    for name, help_text, field in (("loadgate_requests_total", "Requests Locust measured", "count"),
                                   ("loadgate_request_failures_total", "Failed requests", "failures")):
        lines.append(f"# HELP {name} {help_text}\n# TYPE {name} counter\n")
        for key, series in list(tally.series.items()):
            lines.append(f"{name}{{{labels(('method', 'name', 'phase', 'run_id'), (*key, run_id))}}} "
                         f"{getattr(series, field)}\n")
    for name, doc, value in gauges:
        lines.append(f"# HELP {name} {doc}\n# TYPE {name} gauge\n{name}{{{run}}} {float(value)!r}\n")
    for counted in counters:
        lines.append(f"# TYPE {counted.name}_total counter\n")
        lines += [f"{sample.name}{{{labels(tuple(sample.labels), tuple(sample.labels.values()))}}} "
                  f"{float(sample.value)!r}\n" for sample in counted.samples
                  if sample.name.endswith("_total")]
    return "".join(lines)
