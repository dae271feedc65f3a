"""The Prometheus configuration loadgate generates for its own Prometheus."""

import yaml

from loadgate.stack.prometheus_config import SCRAPE_PARAM, prometheus_config


def test_loadgate_s_own_prometheus_scrapes_the_exporter_with_the_run_id():
    jobs = yaml.safe_load(prometheus_config("127.0.0.1:9646", (), None, "run-7"))["scrape_configs"]
    assert jobs[0]["params"] == {SCRAPE_PARAM: ["run-7"]}
    assert "params" not in yaml.safe_load(prometheus_config("127.0.0.1:9646", ()))["scrape_configs"][0]
