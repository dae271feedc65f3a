"""One real short run (a threaded HTTP target on loopback, real Prometheus and Locust), then:
report.html rendered by headless Chromium with no network, charts drawn with their thresholds,
figures equal to results.json; progress on a non-TTY is a few plain lines.

Needs Debian's `chromium` (apt-get install -y chromium) and Pillow (the `test` extra).
The screenshot is kept in test-artifacts/report.png.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from loadgate.cli import main
from loadgate.report.html import PERCENTILES, THRESHOLD
from tests.helpers import ROOT, Target, read_results
from tests.report.html_page import Page

ARTIFACTS = ROOT / "test-artifacts"
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
LOCUSTFILE = """
from locust import HttpUser, between, task

class Visitor(HttpUser):
    wait_time = between(0.01, 0.04)

    @task(4)
    def fast(self):
        self.client.get("/fast")

    @task(1)
    def slow(self):
        self.client.get("/slow")
"""
SLOS = """version: 1
name: html-report
target:
  host: {host}
slos:
  - sli: latency
    percentile: 95
    max: 250ms
    warn: 150ms
  - sli: latency
    percentile: 99
    max: 400ms
    request: GET /slow
  - sli: error_rate
    max: 50%
  - sli: throughput
    min: 5/s
"""


def fast_and_slow(method: str, path: str, t: float) -> tuple[float, int]:
    """/fast answers in 2-10 ms, /slow in 20-80 ms; one request in ten fails with 500."""
    delay = random.uniform(0.02, 0.08) if path == "/slow" else random.uniform(0.002, 0.01)
    return delay, 500 if random.random() < 0.1 else 200


@contextlib.contextmanager
def without_github_env():
    saved = {k: os.environ.pop(k) for k in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY") if k in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The gate's exit code, its stdout and stderr, and the report dir, for one 10 s run."""
    work = tmp_path_factory.mktemp("html-run")
    (work / "locustfile.py").write_text(LOCUSTFILE)
    out, err = io.StringIO(), io.StringIO()
    with Target(fast_and_slow) as target:
        (work / "slo.yaml").write_text(SLOS.format(host=target.url))
        with without_github_env(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["run", "-f", str(work / "locustfile.py"), "--slo", str(work / "slo.yaml"),
                         "--report-dir", str(work / "reports"), "-t", "10s", "--warmup", "1s",
                         "-u", "5", "-r", "5"])
    return code, out.getvalue(), err.getvalue(), work / "reports"


def chromium() -> str:
    found = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    assert found, "headless Chromium is needed: apt-get install -y chromium"
    return found


def screenshot(page: Path, png: Path, profile: Path) -> None:
    """Render with every way out to the network closed."""
    argv = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
            f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--hide-scrollbars", f"--screenshot={png}", "--window-size=1280,2000", page.as_uri()]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=90)
    assert png.is_file() and png.stat().st_size > 10_000, result.stderr[-2000:]


def colour_pixels(image: Image.Image, rgb: tuple[int, int, int], tolerance: int = 12) -> int:
    """How many pixels are within ``tolerance`` (per channel) of ``rgb``."""
    colours = image.convert("RGB").getcolors(maxcolors=image.width * image.height)
    return sum(count for count, c in colours if all(abs(a - b) <= tolerance for a, b in zip(c, rgb)))


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def test_gate_passes_and_writes_report_html(run):
    code, out, err, reports = run
    assert code == 0, out + err
    assert (reports / "report.html").is_file()
    assert "::" not in out  # no GitHub annotations outside GitHub Actions


def test_report_html_renders_offline_with_charts_and_thresholds(run, tmp_path):
    _, _, _, reports = run
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / "report.png"
    png.unlink(missing_ok=True)
    screenshot(reports / "report.html", png, tmp_path / "profile")
    image = Image.open(png)
    assert image.size == (1280, 2000)
    assert colour_pixels(image, rgb(THRESHOLD)) > 600  # three dashed threshold lines and labels
    for _, _, colour in PERCENTILES[1:]:  # p95 and p99 lines
        assert colour_pixels(image, rgb(colour)) > 300, colour
    for colour in ("#0d9488", "#6366f1"):  # requests/s and users lines
        assert colour_pixels(image, rgb(colour)) > 150, colour


def test_report_html_figures_match_results_json(run):
    _, _, _, reports = run
    results = read_results(reports / "results.json")
    text = (reports / "report.html").read_text()
    page = Page(text)
    slo_rows = [r for r in page.rows if len(r) == 5 and r[0][0] in ("pass", "warn", "fail", "error")]
    assert [(r[1][0], r[0][0]) for r in slo_rows] == [(s["name"], s["status"]) for s in results["slos"]]
    assert [float(r[2][1]["data-value"]) for r in slo_rows] == [s["measured"] for s in results["slos"]]
    request_rows = {r[0][0]: [c for c, _ in r[1:]] for r in page.rows if len(r) == 9}
    for entry in results["requests"] + [dict(results["totals"], method="all", name="requests")]:
        cells = request_rows[f"{entry['method']} {entry['name']}"]
        assert (int(cells[0]), int(cells[1])) == (entry["requests"], entry["failures"])
        assert [float(c) for c in cells[4:]] == [round(entry[k], 1) for k in ("p50_ms", "p90_ms", "p95_ms", "p99_ms")]
    latency = re.search(r'data-chart="latency".*?</svg>', text, re.S).group(0)
    points = sum(len(p.split()) for p in re.findall(r'class="series"[^>]*points="([^"]+)"', latency))
    # p50/p95/p99 from Prometheus' first scrape (up to ~5 s into the load: its target tick) on
    assert points >= 3 * 4
    assert sorted(re.findall(r'class="threshold" data-value="([\d.]+)"', latency)) == ["150", "250", "400"]


def test_progress_on_a_non_tty_is_a_few_plain_lines(run):
    _, out, err, _ = run
    progress = [line for line in err.splitlines() if re.match(r"loadgate: \d+s/10s ", line)]
    assert 1 <= len(progress) <= 3, err
    assert re.search(r"users \d+  [\d.]+ req/s  p95 \d+ ms  failures \d+", progress[-1]), progress
    assert not CONTROL.search(out + err)

