"""The stores scripts/other-stores.sh fetches are the versions the matrix names (or the tests skip)."""

import subprocess

import pytest

from tests import stores

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("version", stores.PROMETHEUS_VERSIONS)
def test_prometheus_binary_is_its_version(version):
    out = subprocess.run([stores.prometheus_bin(version), "--version"], check=False, capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0
    assert out.stdout.startswith(f"prometheus, version {version}")


@pytest.mark.parametrize("binary", ["victoria-metrics", "vmagent"])
def test_victoria_metrics_binaries_run(binary):
    out = subprocess.run([stores.victoria_metrics_bin(binary), "-help"], check=False, capture_output=True, text=True,
                         timeout=30)
    assert "-httpListenAddr" in out.stdout + out.stderr
