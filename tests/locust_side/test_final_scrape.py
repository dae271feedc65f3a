"""The exporter keeps Locust alive until a scraper has the final figures: a real Locust process
with the exporter, asked by a probe (no scrape header) and then by a scrape."""

import subprocess
import sys
import time
import urllib.request

from loadgate.stack.locust_argv import EXPORTER
from loadgate.stack.processes import free_port

LOCUSTFILE = """
from locust import User, constant, task

class Idle(User):
    wait_time = constant(0.1)

    @task
    def nothing(self):
        pass
"""


def fetch(url: str, **headers) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=2) as answer:
        return answer.read()


def start(tmp_path, **settings) -> tuple[subprocess.Popen, str]:
    """Locust with the exporter, its output in tmp_path/locust.log; and the exporter's URL."""
    (tmp_path / "lf.py").write_text(LOCUSTFILE)
    port = free_port()
    env = {"LOADGATE_EXPORTER_PORT": str(port), "LOADGATE_FINAL_SCRAPE_TIMEOUT": "20",
           "LOADGATE_RUN_ID": "final", "PATH": "/usr/bin:/bin", **settings}
    with open(tmp_path / "locust.log", "wb") as output:
        locust = subprocess.Popen([sys.executable, "-m", "locust", "-f", f"{tmp_path / 'lf.py'},{EXPORTER}",
                                   "--headless", "-u", "1", "-r", "1", "-t", "1s", "--only-summary"],
                                  env=env, stdout=output, stderr=subprocess.STDOUT)
    return locust, f"http://127.0.0.1:{port}/metrics"


def wait_until_finished(locust: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 20
    while b"loadgate_load_finished{" not in (body := _quietly(url)) or b"} 1.0" not in \
            body.split(b"loadgate_load_finished{", 1)[1].split(b"\n", 1)[0]:
        assert time.monotonic() < deadline and locust.poll() is None, "the load never finished"
        time.sleep(0.1)


def test_only_a_scrapers_request_counts_as_the_final_scrape(tmp_path):
    locust, url = start(tmp_path)
    try:
        wait_until_finished(locust, url)
        for _ in range(5):  # a readiness probe or a person with curl: Locust keeps waiting
            fetch(url)
        time.sleep(0.5)
        assert locust.poll() is None
        fetch(url, **{"X-Prometheus-Scrape-Timeout-Seconds": "0.25"})  # what Prometheus sends
        assert locust.wait(5) == 0
    finally:
        locust.kill()
        locust.wait()


def _quietly(url: str) -> bytes:
    try:
        return fetch(url)
    except OSError:
        return b""


def test_a_bad_setting_is_one_line_and_its_default(tmp_path):
    """Values inherited from the user's environment that do not parse: a line each, no traceback,
    the load runs with the defaults (no warm-up; the final scrape still awaited)."""
    locust, url = start(tmp_path, LOADGATE_WARMUP="soon", LOADGATE_FINAL_SCRAPE_TIMEOUT="15 parsecs",
                        LOADGATE_STOP_AFTER="-1")
    try:
        wait_until_finished(locust, url)
        assert b'phase="warmup"' not in fetch(url)
        fetch(url, **{"X-Prometheus-Scrape-Timeout-Seconds": "0.25"})
        assert locust.wait(10) == 0
    finally:
        locust.kill()
        locust.wait()
    log = (tmp_path / "locust.log").read_text()
    assert "Traceback" not in log
    for name, value in (("LOADGATE_WARMUP", "soon"), ("LOADGATE_FINAL_SCRAPE_TIMEOUT", "15 parsecs"),
                        ("LOADGATE_STOP_AFTER", "-1")):
        lines = [line for line in log.splitlines() if f"{name}={value!r} is not valid" in line]
        assert len(lines) == 1, (name, log)
    assert "LOADGATE_FINAL_SCRAPE_TIMEOUT='15 parsecs' is not valid (" in log and "taken as the default, 15.0" in log


def test_with_its_own_prometheus_only_that_ones_scrape_is_the_final_one(tmp_path):
    """Another Prometheus scraping the same port (one left running, a shared one) must not take
    the final figures away from the run's own, which asks with the run's id."""
    locust, url = start(tmp_path, LOADGATE_OWN_SCRAPER="1")
    scraper = {"X-Prometheus-Scrape-Timeout-Seconds": "0.25"}
    try:
        wait_until_finished(locust, url)
        for other in ("", "?loadgate_run=another-run", "?loadgate_run=final&loadgate_run=x"):
            fetch(url + other, **scraper)
        time.sleep(0.5)
        assert locust.poll() is None
        fetch(url + "?loadgate_run=final", **scraper)
        assert locust.wait(5) == 0
    finally:
        locust.kill()
        locust.wait()
