from types import SimpleNamespace

import pytest

from loadgate.config.distributed import parse_bind
from loadgate.config.plan import build_plan
from loadgate.errors import ConfigError
from tests.config.test_plan import args, files  # noqa: F401 - the fixture


@pytest.mark.parametrize("text, expected", [
    ("10.0.0.5", ("10.0.0.5", None)), ("10.0.0.5:6000", ("10.0.0.5", 6000)),
    ("[::1]:6000", ("::1", 6000)), ("::", ("::", None)), ("0.0.0.0:5557", ("0.0.0.0", 5557)),
])
def test_bind_addresses(text, expected):
    assert parse_bind(text) == expected


@pytest.mark.parametrize("text", ["master.local:5557", "10.0.0.5:99999", "10.0.0.5:x", ""])
def test_bad_bind_addresses_name_the_option(text):
    with pytest.raises(ConfigError, match="--master-bind"):
        parse_bind(text)


def plan_with(tmp_path, env=None, **given):
    return build_plan(SimpleNamespace(**{**vars(args(tmp_path)), **given}), environ=env or {})


def test_loopback_by_default_on_locust_s_port(tmp_path, files, caplog):  # noqa: F811
    plan = plan_with(tmp_path, remote_workers="2")
    assert (plan.remote_workers, plan.master_bind, plan.master_port, plan.distributed) == (
        2, "127.0.0.1", 5557, True)
    assert "unauthenticated" not in caplog.text


def test_binding_elsewhere_warns_once(tmp_path, files, caplog):  # noqa: F811
    plan = plan_with(tmp_path, remote_workers="1", master_bind="198.18.0.1:6001")
    assert (plan.master_bind, plan.master_port) == ("198.18.0.1", 6001)
    assert caplog.text.count("unauthenticated") == 1


def test_no_local_worker_with_remote_ones(tmp_path, files):  # noqa: F811
    plan = plan_with(tmp_path, workers="0", remote_workers="2")
    assert (plan.workers, plan.remote_workers, plan.distributed) == (0, 2, True)


def test_remote_workers_from_the_environment_and_the_file(tmp_path, write, files):  # noqa: F811
    assert plan_with(tmp_path, env={"LOADGATE_REMOTE_WORKERS": "3"}).remote_workers == 3
    write("slo.yaml", "version: 1\ntarget: {host: 'http://127.0.0.1:1'}\nload: {remote_workers: 4}\n"
          "slos: [{sli: error_rate, max: 1%}]\n")
    assert plan_with(tmp_path).remote_workers == 4
    assert not plan_with(tmp_path, remote_workers="0").distributed


def test_remote_write_alone_is_a_copy_and_with_a_store_url_the_store_judges(tmp_path, files):  # noqa: F811
    copy = plan_with(tmp_path, remote_write="http://127.0.0.1:9090/api/v1/write")
    assert copy.remote_write and not copy.judged_from_store
    assert plan_with(tmp_path, remote_write="http://127.0.0.1:9090/api/v1/write",
                     prometheus_url="http://127.0.0.1:9090").judged_from_store


@pytest.mark.parametrize("given, message", [
    (dict(master_bind="10.0.0.1"), "needs --remote-workers"),
    (dict(workers="0"), "--workers: must be at least 1, or 0 with --remote-workers"),
    (dict(remote_workers="-1"), "must be 0 or more"),
    (dict(remote_workers="1", stack="docker"), "local stack"),
    (dict(remote_write="http://127.0.0.1:9090/api/v1/write", stack="docker"), "local stack"),
    (dict(remote_write="ftp://store", prometheus_url="http://127.0.0.1:1"), "http"),
    (dict(remote_write="http://u:secret@store/w", prometheus_url="http://127.0.0.1:1"),
     "LOADGATE_REMOTE_WRITE_USERNAME"),
])
def test_mistakes_are_config_errors(tmp_path, files, given, message):  # noqa: F811
    with pytest.raises(ConfigError, match=message) as caught:
        plan_with(tmp_path, **given)
    assert "secret" not in str(caught.value)
