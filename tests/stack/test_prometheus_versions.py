"""What each Prometheus version needs (stack/prometheus_versions.py) and the config generated for it.

2.42, 2.53.3 and 3.5.3 are run by the integration suite (tests/stores.py); the 3.8+ cases here are
checked against the documented schema (config/config.go and CHANGELOG.md at v3.8.0 / v3.9.0 /
v3.14.0) and are NOT run here: no Debian suite holds a 3.8+ build.
"""

from pathlib import Path

import pytest
import yaml

from loadgate.errors import ConfigError
from loadgate.model import Scrape
from loadgate.stack import compose
from loadgate.stack import prometheus_versions as versions
from loadgate.stack.local import prometheus_version
from loadgate.stack.prometheus_config import prometheus_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, version", [
    ("prometheus, version 2.42.0+ds (branch: debian/sid, revision: 2.42.0+ds-5+deb12u1)", (2, 42, 0)),
    ("prometheus, version 3.5.3+ds1 (branch: debian/sid, revision: 3.5.3+ds1-6)", (3, 5, 3)),
    ("prometheus, version 3.14.0-rc.0 (branch: HEAD, revision: abc)", (3, 14, 0)),
    ("3.9.1", (3, 9, 1)),
    ("prometheus, version  (branch: , revision: 1.2.3)", None),  # a build from source
])
def test_the_version_is_read_from_prometheus_own_words(text, version):
    assert versions.parse(text) == version


def test_buildinfo_of_prometheus_gives_its_version_and_of_mimir_none():
    assert versions.parse_buildinfo({"status": "success", "data": {"version": "2.53.3"}}) == (2, 53, 3)
    mimir = {"status": "success", "data": {"application": "Grafana Mimir", "version": "2.14.0"}}
    assert versions.parse_buildinfo(mimir) is None
    thanos = {"status": "success", "data": {"version": "0.39.2", "revision": "x", "branch": "HEAD"}}
    assert versions.parse_buildinfo(thanos) is None
    assert versions.parse_buildinfo({"status": "error"}) is None
    assert versions.parse_buildinfo("<html>") is None


@pytest.mark.parametrize("image, version", [
    ("prom/prometheus:v2.53.4", (2, 53, 4)), ("quay.io/prometheus/prometheus:v3.5.0", (3, 5, 0)),
    ("registry:5000/prom/prometheus:v3.9.1", (3, 9, 1)), ("prom/prometheus:latest", versions.LATEST),
    ("prom/prometheus@sha256:0123abcd", versions.LATEST), ("localhost:5000/prometheus", versions.LATEST),
])
def test_a_container_image_version_comes_from_its_tag(image, version):
    assert versions.of_image(image) == version


def test_the_docker_stack_default_image_is_the_one_compose_runs():
    assert f"${{LOADGATE_PROMETHEUS_IMAGE:-{compose.PROMETHEUS_IMAGE}}}" in \
        (ROOT / "stack" / "docker-compose.yml").read_text()


@pytest.mark.parametrize("version, flags", [
    ((2, 40, 0), ["--enable-feature=native-histograms"]), ((2, 42, 0), ["--enable-feature=native-histograms"]),
    ((3, 5, 3), ["--enable-feature=native-histograms"]), ((3, 7, 3), ["--enable-feature=native-histograms"]),
    ((3, 8, 0), []), ((3, 9, 0), []), ((3, 14, 0), []),  # 3.8+: not run here
])
def test_the_native_histogram_flag_up_to_3_7(version, flags):
    assert versions.native_histogram_flags(version) == flags


@pytest.mark.parametrize("version, words", [
    (None, "--enable-feature=native-histograms up to Prometheus 3.7, `scrape_native_histograms: true`"),
    ((2, 39, 0), "Prometheus 2.39.0 has no native histograms: upgrade to 2.40.0 or later"),
    ((3, 5, 3), "start Prometheus 3.5.3 with --enable-feature=native-histograms"),
    ((3, 9, 1), "set `scrape_native_histograms: true` in Prometheus 3.9.1's scrape config"),
])
def test_the_setting_a_users_prometheus_needs_is_named_per_version(version, words):
    assert words in versions.native_histogram_setting(version)


@pytest.mark.parametrize("version, mode", [
    ((2, 42, 0), "--enable-feature=agent"), ((2, 53, 3), "--enable-feature=agent"),
    ((3, 0, 0), "--agent"), ((3, 5, 3), "--agent")])
def test_agent_mode_is_a_feature_in_2x_and_a_flag_in_3x(version, mode):
    assert versions.agent_flags(version, "/tmp/a") == [mode, "--storage.agent.path=/tmp/a"]


def config_of(version):
    scrape = Scrape(job="app", targets=("127.0.0.1:8000",), metrics_path="/metrics")
    return yaml.safe_load(prometheus_config("127.0.0.1:9646", [scrape], version=version))


@pytest.mark.parametrize("version", [(2, 42, 0), (2, 53, 3), (3, 5, 3), (3, 7, 0)])
def test_up_to_3_7_the_config_leaves_native_histograms_to_the_flag(version):
    config = config_of(version)
    assert "scrape_native_histograms" not in config["global"]
    assert "scrape_protocols" not in config["global"]  # 2.42 knows no such field


@pytest.mark.parametrize("version", [(3, 8, 0), (3, 9, 0), (3, 14, 0)])
def test_from_3_8_the_config_scrapes_native_histograms_protobuf_first_not_run_here(version):
    config = config_of(version)
    assert config["global"]["scrape_native_histograms"] is True
    # config/config.go v3.8.0: a job inherits both from global unless it sets its own
    assert config["global"]["scrape_protocols"][0] == "PrometheusProto"
    assert set(config["global"]["scrape_protocols"]) <= {
        "PrometheusProto", "OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0",
        "PrometheusText0.0.4"}  # ScrapeProtocolsHeaders of v3.14.0
    for job in config["scrape_configs"]:
        assert "scrape_native_histograms" not in job and "scrape_protocols" not in job


@pytest.mark.parametrize("version, fallback", [((2, 42, 0), None), ((2, 53, 3), None),
                                               ((3, 0, 0), "PrometheusText0.0.4"),
                                               ((3, 5, 3), "PrometheusText0.0.4"),
                                               ((3, 14, 0), "PrometheusText0.0.4")])
def test_3x_scrape_jobs_fall_back_to_text_for_targets_without_content_type(version, fallback):
    app = next(job for job in config_of(version)["scrape_configs"] if job["job_name"] == "app")
    assert app.get("fallback_scrape_protocol") == fallback


@pytest.mark.parametrize("version, rule", [
    ((2, 42, 0), versions.QuantileRule(from_top=False, exponential=False)),
    ((2, 46, 0), versions.QuantileRule(from_top=True, exponential=False)),
    ((2, 53, 3), versions.QuantileRule(from_top=True, exponential=False)),
    ((3, 0, 0), versions.QuantileRule(from_top=True, exponential=True)),
    ((3, 14, 0), versions.QuantileRule(from_top=True, exponential=True)),
    (None, versions.QuantileRule(from_top=True, exponential=True)),
])
def test_histogram_quantile_rule_per_version(version, rule):
    assert versions.quantile_rule(version) == rule


def fake_binary(tmp_path, said: str) -> str:
    """An executable that answers ``--version`` as ``said`` (what a binary says, nothing else)."""
    path = tmp_path / "prometheus"
    path.write_text(f"#!/bin/sh\necho '{said}'\n")
    path.chmod(0o755)
    return str(path)


def test_a_binary_older_than_native_histograms_is_refused_naming_its_version(tmp_path):
    binary = fake_binary(tmp_path, "prometheus, version 2.39.1 (branch: HEAD, revision: x)")
    with pytest.raises(ConfigError, match=r"Prometheus 2\.39\.1 .* is too old: .* from 2\.40\.0"):
        prometheus_version(binary)


def test_a_binary_that_names_no_version_is_taken_for_the_newest(tmp_path, caplog):
    binary = fake_binary(tmp_path, "prometheus, version  (branch: main, revision: abc)")
    assert prometheus_version(binary) == versions.LATEST
    assert "cannot tell the version" in caplog.text


def test_the_binary_on_path_says_its_version():
    import shutil
    found = shutil.which("prometheus")
    if found is None:
        pytest.skip("no prometheus on PATH")
    assert prometheus_version(found) >= versions.OLDEST
