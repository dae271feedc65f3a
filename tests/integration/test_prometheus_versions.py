"""What differs between Prometheus versions, run with each fetched one (tests/stores.py): the local
Prometheus as a remote-write agent (`--enable-feature=agent` in 2.x, `--agent` in 3.x).  The
measuring tests run with every version through the `prometheus_bin` fixture (docs/stores.md)."""

from __future__ import annotations

import pytest

from tests import stores as binaries
from tests.integration.stores import prometheus_receiver, stores  # noqa: F401 - stores: the fixture
from tests.integration.test_stores import LATENCY, LOAD, check_exact

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("version", binaries.PROMETHEUS_VERSIONS[1:])  # 2.42: tests/integration/test_stores.py
def test_an_agent_of_each_version_writes_what_the_gate_judges_exactly(gate, stores, version):  # noqa: F811
    agent = binaries.prometheus_bin(version)
    store = stores(prometheus_receiver, "2.42")
    code = gate.run(LATENCY, "--prometheus-url", store.url, "--remote-write", f"{store.url}/api/v1/write",
                    "--prometheus-bin", agent, "--run-id", f"agent-{version}", load=LOAD)
    assert code == 0, (gate.reports / "summary.md").read_text()
    check_exact(gate)
