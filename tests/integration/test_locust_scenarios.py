"""Locust's extension points under loadgate, as Locust documents them (docs/locust-scenarios.md):
shapes, request listeners that raise, blocking and raising hooks, custom messages, an early
runner.quit().  Each scenario is written here afresh in the style of Locust's own examples, and
run through the whole gate: real Locust, real Prometheus, a target the test controls."""

from __future__ import annotations

import time

import pytest

from tests.helpers import Target
from tests.integration.conftest import Gate

pytestmark = pytest.mark.integration

ANY_ERRORS = "  - sli: error_rate\n    max: 100%\n"
FEW_ERRORS = "  - sli: error_rate\n    max: 1%\n"
USER = '''
class Shopper(HttpUser):
    wait_time = constant(0.05)

    @task
    def browse(self):
        self.client.get("/items")
        self.client.get("/fail/checkout", name="/checkout")
        self.client.get("/items/1", name="/items/[id]")
'''
HEAD = "from locust import HttpUser, LoadTestShape, constant, events, task\n"


def half_failing(method: str, path: str, t: float) -> tuple[float, int]:
    return 0.0, 500 if path.startswith("/fail") else 200


@pytest.fixture
def gate(tmp_path):
    with Target(half_failing) as target:
        yield Gate(tmp_path, target.url)


def run(gate: Gate, scenario: str, slos: str = ANY_ERRORS, *args: str, load: str) -> int:
    gate.locustfile.write_text(HEAD + scenario)
    started = time.monotonic()
    code = gate.run(slos, "-q", *args, load=load)
    gate.seconds = time.monotonic() - started
    return code


STEPS = '''
class Steps(LoadTestShape):
    """2 users, then 6 from the 3rd second on; it never ends by itself (Locust ignores -t)."""

    def tick(self):
        return (2, 10) if self.get_run_time() < 3 else (6, 10)
''' + USER + '''
import os

started = []
Shopper.on_start = lambda self: started.append(1)


@events.quitting.add_listener
def count_users(environment, **kwargs):
    with open(os.path.join(os.environ["RECORD_DIR"], "users.txt"), "w") as out:
        out.write(str(len(started)))
'''


def test_a_shape_that_changes_users_mid_run_stops_at_the_duration(gate):
    """-t with a shape: the load stops at the duration (it ran on until loadgate gave up, exit 3)."""
    assert run(gate, STEPS, load="duration: 8s") == 0
    results = gate.results()
    window = results["window"]
    assert window["end"] - window["start"] == pytest.approx(8.0, abs=0.6)
    assert gate.seconds < 30
    assert (gate.records / "users.txt").read_text() == "6"  # the shape's 2 then 6, not -u's 10
    assert not [n for n in results.get("notes", []) if "planned" in n]


STAGES = USER + '''

class Stages(LoadTestShape):
    """Stages with user classes, as Locust's stages example; longer than the run."""

    stages = [{"duration": 3, "users": 2, "spawn_rate": 10},
              {"duration": 60, "users": 4, "spawn_rate": 10, "user_classes": [Shopper]}]

    def tick(self):
        run_time = self.get_run_time()
        for stage in self.stages:
            if run_time < stage["duration"]:
                return (stage["users"], stage["spawn_rate"], stage.get("user_classes"))
        return None
'''


def test_a_stages_shape_on_two_workers_stops_at_the_duration_and_counts_every_request(gate):
    assert run(gate, STAGES, ANY_ERRORS, "--workers", "2", load="duration: 6s") == 0
    window = gate.results()["window"]
    assert window["end"] - window["start"] == pytest.approx(6.0, abs=0.6)
    assert gate.seconds < 30  # the shape's 60 s second stage was cut at the duration


SHORT = '''
class Short(LoadTestShape):
    """3 users for 4 s, then the shape ends the test."""

    def tick(self):
        return (3, 10) if self.get_run_time() < 4 else None
''' + USER


def test_a_shape_that_ends_before_the_duration_is_judged_with_a_note(gate):
    assert run(gate, SHORT, load="duration: 12s") == 0
    results = gate.results()
    assert results["window"]["end"] - results["window"]["start"] < 7
    assert any(n.startswith("the load ran ") and "of the planned 12 s" in n for n in results["notes"])


RESCHEDULE = '''
from locust.exception import RescheduleTask


@events.init.add_listener
def break_tasks_early(environment, **kwargs):
    @events.request.add_listener
    def on_request(exception, **kwargs):
        if exception:
            raise RescheduleTask()
''' + USER


def test_a_request_listener_raising_reschedule_task_hides_no_failed_request(gate):
    """Locust's response_validations: was exit 3 "Prometheus holds 455 requests, Locust measured 910"."""
    assert run(gate, RESCHEDULE, load="users: 4\n  spawn_rate: 10\n  duration: 5s") == 0
    totals = gate.results()["totals"]
    assert totals["failures"] > 0 and totals["requests"] >= 2 * totals["failures"]
    assert run(gate, RESCHEDULE, FEW_ERRORS, load="users: 4\n  spawn_rate: 10\n  duration: 5s") == 1


QUIT_EARLY = '''
import gevent


@events.test_start.add_listener
def end_soon(environment, **kwargs):
    gevent.spawn_later(4, environment.runner.quit)
''' + USER


def test_a_scenario_that_quits_early_passes_with_a_note(gate):
    assert run(gate, QUIT_EARLY, load="duration: 12s") == 0
    notes = gate.results()["notes"]
    assert any(n.startswith("the load ran 4.") and "of the planned 12 s" in n for n in notes), notes


BLOCKING_START = '''
import time

@events.test_start.add_listener
def prepare(environment, **kwargs):
    time.sleep(2)  # e.g. fetching test data, or waiting for workers' answers
''' + USER


def test_a_blocking_test_start_handler_keeps_its_seconds_in_the_window(gate):
    """Was exit 3 "never scraped the final figures" (or, longer, a window short of the block)."""
    assert run(gate, BLOCKING_START, load="duration: 6s") == 0
    results = gate.results()
    assert results["window"]["end"] - results["window"]["start"] == pytest.approx(6.0, abs=0.6)
    assert any(w.startswith("the locustfile's test_start listeners ran 2.") for w in results["warnings"])


INIT_RAISES = '''
@events.init.add_listener
def connect(environment, **kwargs):
    raise ConnectionError("test data service unreachable")
''' + USER


def test_an_exception_in_an_init_hook_is_the_locustfiles_error_with_its_traceback(gate, capsys):
    assert run(gate, INIT_RAISES, load="duration: 6s") == 2
    err = capsys.readouterr().err
    assert "raised ConnectionError: test data service unreachable; Locust stops on it" in err
    assert 'line 5, in connect' in err  # the traceback, shown as context lines
    assert gate.seconds < 15 and not (gate.reports / "results.json").exists()


QUITTING_RAISES = '''
@events.quitting.add_listener
def check_stats(environment, **kwargs):
    raise RuntimeError("a teardown step failed")
''' + USER.replace("/fail/checkout", "/checkout")  # no failed request: Locust's exit code is 2


def test_a_quitting_listener_raising_after_the_final_scrape_keeps_the_verdict(gate):
    assert run(gate, QUITTING_RAISES, load="duration: 4s") == 0
    notes = gate.results()["notes"]
    assert any("Locust exited with code 2 after its final figures were scraped (a quitting "
               "listener" in n for n in notes), notes


MESSAGES = '''
from locust.runners import MasterRunner, WorkerRunner

names = []
acknowledged = []


def take_names(environment, msg, **kwargs):
    names.extend(msg.data)
    environment.runner.send_message("acknowledge", len(msg.data))


@events.init.add_listener
def register(environment, **kwargs):
    if isinstance(environment.runner, WorkerRunner):
        environment.runner.register_message("names", take_names)
    elif isinstance(environment.runner, MasterRunner):
        environment.runner.register_message("acknowledge", lambda msg, **kw: acknowledged.append(msg.data))


@events.test_start.add_listener
def share_names(environment, **kwargs):
    if isinstance(environment.runner, MasterRunner):
        for index, worker in enumerate(environment.runner.clients):
            environment.runner.send_message("names", [f"user{index}-{i}" for i in range(3)], worker)
''' + USER


def test_custom_messages_between_master_and_workers(gate):
    assert run(gate, MESSAGES, ANY_ERRORS, "--workers", "2", load="users: 4\n  spawn_rate: 10\n  duration: 5s") == 0
    assert gate.results()["totals"]["requests"] > 0


ODD_NAME = USER.replace('name="/checkout"', 'name="/check\\udcffout"')


def test_a_request_name_that_is_not_valid_unicode_is_measured_under_a_visible_name(gate):
    """Was exit 3 after 24 s: every scrape failed to encode the label."""
    assert run(gate, ODD_NAME, '  - sli: error_rate\n    request: "/check\\udcffout"\n    max: 100%\n',
               load="duration: 4s") == 0
    names = {r["name"] for r in gate.results()["requests"]}
    assert "/check\\udcffout" in names
