"""The stores the suite runs loadgate against: Debian's Prometheus on PATH, and the builds
scripts/other-stores.sh fetches from Debian's other suites into a cache folder (``make test`` runs it).

A store that is not there skips the test that needs it, with the reason (the script's own, when its
download failed), so it shows in ``pytest -ra`` output: a missing store is never a pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("LOADGATE_STORES_CACHE")
             or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "loadgate" / "stores")

# The Prometheus versions the measuring tests run with: the system one (Debian bookworm) first.
PROMETHEUS_VERSIONS = ("2.42", "2.53.3", "3.5.3")
VICTORIA_METRICS_VERSION = "1.145.0"
INFLUXDB_VERSION = "1.6.7~rc0"


def fetched(name: str, version: str, binary: str | None = None) -> str:
    """Path of ``binary`` (default: ``name``) of the fetched ``name`` ``version``, or skip."""
    path = CACHE / f"{name}-{version}" / "usr" / "bin" / (binary or name)
    if os.access(path, os.X_OK):
        return str(path)
    failed = CACHE / f"{name}-{version}.failed"
    if failed.exists():
        pytest.skip(f"{name} {version} could not be fetched: {failed.read_text().strip()}")
    pytest.skip(f"{name} {version} is not in {CACHE}: run scripts/other-stores.sh (make test does)")


def system_prometheus(version: str) -> str:
    """Path of the Prometheus on PATH if it is ``version``, or skip."""
    path = shutil.which("prometheus")
    if path is None:
        pytest.skip("no prometheus on PATH (make setup installs Debian's)")
    found = subprocess.run([path, "--version"], check=False, capture_output=True, text=True, timeout=30).stdout
    if f"version {version}" not in found:
        pytest.skip(f"the prometheus on PATH is not {version}: {found.splitlines()[:1]}")
    return path


def prometheus_bin(version: str) -> str:
    """Path of a Prometheus binary of ``version`` (one of PROMETHEUS_VERSIONS), or skip."""
    if version == PROMETHEUS_VERSIONS[0]:
        return system_prometheus(version)
    return fetched("prometheus", version)


def influxdb_bin() -> str:
    """Path of InfluxDB 1.6's ``influxd`` (Debian bookworm's version), or skip."""
    return fetched("influxdb", INFLUXDB_VERSION, "influxd")


def victoria_metrics_bin(binary: str = "victoria-metrics") -> str:
    """Path of VictoriaMetrics' ``binary`` (``victoria-metrics`` or ``vmagent``), or skip."""
    return fetched("victoria-metrics", VICTORIA_METRICS_VERSION, binary)
