"""Remote write into real stores: judged from a Prometheus receiver of each version, copied to
VictoriaMetrics, refused where a store cannot hold what the gate reads (docs/stores.md)."""

from __future__ import annotations

import pytest

from tests.integration.stores import PROMETHEUS_VERSIONS, prometheus_receiver, stores  # noqa: F401
from tests.integration.test_gate import exact_percentile

LATENCY = ("  - sli: latency\n    percentile: 95\n    max: 10s\n"
           "  - sli: latency\n    percentile: 99\n    max: 10s\n    request: GET /items\n")
LOAD = "users: 10\n  spawn_rate: 10\n  duration: 6s"
PERCENTILES = (("p50_ms", 0.5), ("p90_ms", 0.9), ("p95_ms", 0.95), ("p99_ms", 0.99))


def check_exact(gate) -> None:
    """Totals equal Locust's own count, p50-p99 within 1 % of exact, the objectives judged."""
    results, samples = gate.results(), gate.samples()
    times = [s[2] for s in samples]
    assert results["totals"]["requests"] == len(samples) > 100
    for field, q in PERCENTILES:
        assert results["totals"][field] == pytest.approx(exact_percentile(times, q), rel=0.01), field
    items = [s[2] for s in samples if s[:2] == ["GET", "/items"]]
    assert results["slos"][1]["measured"] == pytest.approx(exact_percentile(items, 0.99), rel=0.01)


@pytest.mark.parametrize("version", PROMETHEUS_VERSIONS)
def test_judged_from_a_prometheus_receiver_exactly(gate, stores, version):  # noqa: F811
    store = stores(prometheus_receiver, version)
    code = gate.run(LATENCY, "--prometheus-url", store.url, "--remote-write",
                    f"{store.url}/api/v1/write", "--run-id", f"judged-{version}", load=LOAD)
    assert code == 0, (gate.reports / "summary.md").read_text()
    check_exact(gate)
