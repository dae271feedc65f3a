import stat

import pytest
import yaml

from loadgate import credentials
from loadgate.errors import ConfigError
from loadgate.stack.prometheus_config import prometheus_config


def test_an_agent_config_remote_writes_everything_with_the_run_id(tmp_path):
    found = credentials.from_env(credentials.REMOTE_WRITE, {
        "LOADGATE_REMOTE_WRITE_USERNAME": "gate", "LOADGATE_REMOTE_WRITE_PASSWORD": "pw-secret"})
    entry = {"url": "https://store/api/v1/push", **credentials.for_prometheus(found, tmp_path)}
    text = prometheus_config("127.0.0.1:9646", (), entry, "run-7")
    config = yaml.safe_load(text)
    assert config["global"]["external_labels"] == {"run_id": "run-7"}
    (write,) = config["remote_write"]
    assert write["url"] == "https://store/api/v1/push"
    assert write["queue_config"] == {"batch_send_deadline": "250ms"}
    assert write["send_native_histograms"] is True  # the latency histogram is a native one
    assert write["basic_auth"]["username"] == "gate"
    secret = tmp_path / "remote-write-password"
    assert write["basic_auth"]["password_file"] == str(secret)
    assert "pw-secret" not in text and secret.read_text() == "pw-secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_a_bearer_token_goes_to_a_credentials_file(tmp_path):
    found = credentials.from_env(credentials.REMOTE_WRITE, {"LOADGATE_REMOTE_WRITE_BEARER_TOKEN": "t0k"})
    auth = credentials.for_prometheus(found, tmp_path)["authorization"]
    assert auth["type"] == "Bearer" and (tmp_path / "remote-write-token").read_text() == "t0k"
    assert credentials.for_requests(found) == {"headers": {"Authorization": "Bearer t0k"}}
    assert "t0k" not in repr(found)


def test_without_remote_write_nothing_changes():
    assert "remote_write" not in yaml.safe_load(prometheus_config("127.0.0.1:9646", ()))


@pytest.mark.parametrize("env, words", [
    ({"LOADGATE_PROMETHEUS_USERNAME": "a", "LOADGATE_PROMETHEUS_BEARER_TOKEN": "b"}, "not both"),
    ({"LOADGATE_PROMETHEUS_PASSWORD": "b"}, "without LOADGATE_PROMETHEUS_USERNAME"),
])
def test_half_set_credentials_are_config_errors(env, words):
    with pytest.raises(ConfigError, match=words):
        credentials.from_env(credentials.QUERIES, env)


def test_headers_for_tenants_and_gateways_go_to_both_clients_and_are_hidden(tmp_path):
    from loadgate.redaction import redact

    env = {"LOADGATE_REMOTE_WRITE_HEADERS": "X-Scope-OrgID=tenant-77, X-Api-Key=k%2C9z",
           "LOADGATE_PROMETHEUS_HEADERS": "X-Scope-OrgID=tenant-77", "LOADGATE_PROMETHEUS_BEARER_TOKEN": "tok3n"}
    write = credentials.from_env(credentials.REMOTE_WRITE, env)
    assert credentials.for_prometheus(write, tmp_path)["headers"] == {"X-Scope-OrgID": "tenant-77",
                                                                      "X-Api-Key": "k,9z"}
    query = credentials.for_requests(credentials.from_env(credentials.QUERIES, env))
    assert query == {"headers": {"X-Scope-OrgID": "tenant-77", "Authorization": "Bearer tok3n"}}
    assert redact("store said: unknown tenant tenant-77 (key k,9z)") == "store said: unknown tenant *** (key ***)"
    assert "tenant-77" not in repr(write)


@pytest.mark.parametrize("value, words", [
    ("X-Scope-OrgID", "expected Name=value pairs separated by commas"),
    ("Bad Name=x", "entry 1 is not"),
    ("Authorization=Bearer abc", "Authorization cannot be set as a header here"),
    ("X-A=1,Content-Type=text/plain", "Content-Type cannot be set"),
])
def test_malformed_headers_are_config_errors_that_show_no_value(value, words):
    with pytest.raises(ConfigError, match=words) as caught:
        credentials.from_env(credentials.REMOTE_WRITE, {"LOADGATE_REMOTE_WRITE_HEADERS": value})
    assert "LOADGATE_REMOTE_WRITE_HEADERS" in str(caught.value)
    assert "abc" not in str(caught.value) and "text/plain" not in str(caught.value)
