"""The Prometheus configuration loadgate generates: its exporter plus the `scrape:` targets."""

from __future__ import annotations

from typing import Iterable

import yaml

from loadgate.model import Scrape

# 500 ms keeps the wait for the last scrape after the load short (it is on every run's wall time);
# at that rate even a few thousand histogram series cost Prometheus nothing noticeable.
SCRAPE_INTERVAL = "500ms"
SCRAPE_INTERVAL_S = 0.5


def prometheus_config(exporter_target: str, scrapes: Iterable[Scrape]) -> str:
    jobs = [{
        "job_name": "loadgate",
        "scrape_interval": SCRAPE_INTERVAL,
        "scrape_timeout": SCRAPE_INTERVAL,
        "static_configs": [{"targets": [exporter_target]}],
    }]
    for scrape in scrapes:
        jobs.append({
            "job_name": scrape.job,
            "metrics_path": scrape.metrics_path,
            "static_configs": [{"targets": list(scrape.targets)}],
        })
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "scrape_configs": jobs,
    }
    return yaml.safe_dump(config, sort_keys=False)
