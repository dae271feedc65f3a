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


def test_only_a_scrapers_request_counts_as_the_final_scrape(tmp_path):
    (tmp_path / "lf.py").write_text(LOCUSTFILE)
    port = free_port()
    env = {"LOADGATE_EXPORTER_PORT": str(port), "LOADGATE_FINAL_SCRAPE_TIMEOUT": "20",
           "LOADGATE_RUN_ID": "final", "PATH": "/usr/bin:/bin"}
    locust = subprocess.Popen([sys.executable, "-m", "locust", "-f", f"{tmp_path / 'lf.py'},{EXPORTER}",
                               "--headless", "-u", "1", "-r", "1", "-t", "1s", "--only-summary"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        deadline = time.monotonic() + 20
        while b"loadgate_load_finished{" not in (body := _quietly(url)) or b"} 1.0" not in \
                body.split(b"loadgate_load_finished{", 1)[1].split(b"\n", 1)[0]:
            assert time.monotonic() < deadline and locust.poll() is None, "the load never finished"
            time.sleep(0.1)
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
