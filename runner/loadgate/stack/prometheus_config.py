"""The Prometheus configuration loadgate generates: its exporter plus the `scrape:` targets."""

from __future__ import annotations

from typing import Iterable

import yaml

from loadgate.model import Scrape
from loadgate.stack import prometheus_versions
from loadgate.stack.prometheus_versions import Version

# 250 ms keeps the wait for the last scrape after the load short (it is on every run's wall time);
# a scrape costs the exporter about 1 ms, and a few thousand series at 4 Hz cost Prometheus little.
SCRAPE_INTERVAL = "250ms"
SCRAPE_INTERVAL_S = 0.25
# The query parameter with which loadgate's own Prometheus scrapes the exporter: another scraper
# of the same port (a Prometheus left running, a shared one) must not take the final scrape.
SCRAPE_PARAM = "loadgate_run"
# What the config is for when no version is given: a 2.x (the docker stack's image, 2.53).
TWO_X: Version = (2, 53, 4)


def prometheus_config(exporter_target: str, scrapes: Iterable[Scrape],
                      remote_write: dict | None = None, run_id: str | None = None,
                      version: Version = TWO_X) -> str:
    """``remote_write``: one remote_write entry (url and auth); everything Prometheus sends is
    labelled with ``run_id`` (the exporter's series carry it already; the ``scrape:`` targets'
    and ``up`` get it too, so two runs never write the same series).
    ``version``: the Prometheus that reads the config (what each needs: prometheus_versions)."""
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s",
                   **prometheus_versions.global_settings(version)},
        "scrape_configs": [exporter_job(exporter_target, run_id),
                           *(scrape_job(scrape, version) for scrape in scrapes)],
    }
    if remote_write:
        config["global"]["external_labels"] = {"run_id": run_id or "adhoc"}
        config["remote_write"] = [remote_write_entry(remote_write)]
    return yaml.safe_dump(config, sort_keys=False)


def exporter_job(target: str, run_id: str | None) -> dict:
    return {
        "job_name": "loadgate",
        "scrape_interval": SCRAPE_INTERVAL,
        "scrape_timeout": SCRAPE_INTERVAL,
        "static_configs": [{"targets": [target]}],
        # the exporter takes only this run's scrape as the final one (locust_side/scrape.py)
        **({"params": {SCRAPE_PARAM: [run_id]}} if run_id else {}),
    }


def scrape_job(scrape: Scrape, version: Version) -> dict:
    """A ``scrape:`` target of slo.yaml."""
    return {
        "job_name": scrape.job,
        "metrics_path": scrape.metrics_path,
        "static_configs": [{"targets": list(scrape.targets)}],
        **prometheus_versions.scrape_job_settings(version),
    }


def remote_write_entry(remote_write: dict) -> dict:
    """Sent within 250 ms of each scrape: the gate waits for the final figures in the store.
    benchmarks/remote.py: remote write / local Prometheus 0.96 with 250 ms, 1.15 (+1.3 s per run)
    with Prometheus' default of 5 s.  send_native_histograms: the latency histogram is a native
    one, and remote_write leaves native histograms out unless told (default false in 2.40-3.x,
    remote-write 1.0).  The copy (--remote-write alone) at 1 000 names costs the local Prometheus
    ~0.5 s of CPU per 15 s run, no memory or wall time above noise (benchmarks/remote.py, busy
    machine)."""
    return {**remote_write, "send_native_histograms": True, "queue_config": {"batch_send_deadline": "250ms"}}
