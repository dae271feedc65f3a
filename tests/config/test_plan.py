from types import SimpleNamespace

import pytest

from loadgate.config.plan import build_plan
from loadgate.errors import ConfigError
from loadgate.redaction import redact_url
from tests.helpers import LOCUSTFILE

SLO = """\
version: 1
target: {host: "http://127.0.0.1:9999"}
load: {users: 5, duration: 20s, warmup: 2s}
slos: [{sli: error_rate, max: 1%}]
"""


def args(tmp_path, **given):
    base = dict(slo=str(tmp_path / "slo.yaml"), locustfile=str(tmp_path / "lf.py"), host=None,
                users=None, spawn_rate=None, duration=None, warmup=None, workers=None, stack=None,
                prometheus_url=None, prometheus_bin=None, report_dir=None, keep_stack=False,
                quiet=False, locust_args=[])
    return SimpleNamespace(**{**base, **given})


@pytest.fixture
def files(write):
    write("slo.yaml", SLO)
    write("lf.py", LOCUSTFILE)


def test_file_values_and_defaults(tmp_path, files):
    plan = build_plan(args(tmp_path), environ={})
    assert (plan.users, plan.duration, plan.warmup, plan.workers, plan.spawn_rate) == (5, 20, 2, 1, 10)
    assert plan.host == "http://127.0.0.1:9999"


def test_command_line_beats_environment_beats_file(tmp_path, files):
    env = {"LOADGATE_USERS": "7", "LOADGATE_DURATION": "1m", "LOADGATE_HOST": "http://127.0.0.1:1"}
    plan = build_plan(args(tmp_path, users="9"), environ=env)
    assert plan.users == 9 and plan.duration == 60 and plan.host == "http://127.0.0.1:1"


@pytest.mark.parametrize("given, env, message", [
    ({"host": "127.0.0.1:8080"}, {}, "host: the host needs a scheme"),
    ({"users": "0"}, {}, "--users: must be at least 1"),
    ({}, {"LOADGATE_DURATION": "soon"}, "LOADGATE_DURATION: expected a time"),
    ({"warmup": "30s"}, {}, "warm-up (30s) must be shorter than the duration"),
    ({"stack": "k8s"}, {}, "unknown stack 'k8s'"),
])
def test_bad_values_name_their_source(tmp_path, files, given, env, message):
    with pytest.raises(ConfigError, match=None) as info:
        build_plan(args(tmp_path, **given), environ=env)
    assert message in str(info.value)


def test_missing_and_broken_locustfiles(tmp_path, files, write):
    with pytest.raises(ConfigError, match=r"nope\.py: locustfile not found"):
        build_plan(args(tmp_path, locustfile=str(tmp_path / "nope.py")), environ={})
    write("broken.py", "from locust import task\n\ndef oops(:\n")
    with pytest.raises(ConfigError, match=r"broken.py:3: syntax error in the locustfile"):
        build_plan(args(tmp_path, locustfile=str(tmp_path / "broken.py")), environ={})


def test_credentials_never_shown():
    assert redact_url("https://bob:s3cret@example.test:8443/x") == "https://***@example.test:8443/x"
    assert redact_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"


def test_run_id_from_command_line_environment_or_generated(tmp_path, files):
    assert build_plan(args(tmp_path, run_id="ci-42"), environ={"LOADGATE_RUN_ID": "env"}).run_id == "ci-42"
    assert build_plan(args(tmp_path), environ={"LOADGATE_RUN_ID": "env-7"}).run_id == "env-7"
    first, second = (build_plan(args(tmp_path), environ={}).run_id for _ in range(2))
    assert first != second and len(first) > 10


@pytest.mark.parametrize("bad", ['a"b', "-x", "x" * 65, "a b", "a}b"])
def test_run_id_that_cannot_be_a_label_value_safely_is_refused(tmp_path, files, bad):
    with pytest.raises(ConfigError, match="run id"):
        build_plan(args(tmp_path, run_id=bad), environ={})
