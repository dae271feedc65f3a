"""Run history in report.html (a chart per objective, threshold drawn) and summary.md (a trend)."""

from loadgate.judge.baseline import Baseline, Run
from loadgate.judge.verdict import judge
from loadgate.report import html, markdown
from tests.helpers import OBJECTIVES, P95, measurements, plan
from tests.report.html_page import Page


def baseline() -> Baseline:
    """Three earlier runs, given newest first: the history puts them oldest first."""
    runs = [Run(f"main/{i}.json", ({"name": P95.name, "sli": "latency", "measured": value},), (),
                {"requests": 1000, "failures": 5, "rps": 55.0}, started)
            for i, (value, started) in enumerate(((300.0, 3.0), (200.0, 2.0), (100.0, 1.0)))]
    return Baseline(tuple(runs), "main/")


def test_report_html_draws_each_objective_across_the_runs_with_its_threshold(tmp_path):
    verdict = judge(OBJECTIVES, measurements(), baseline())
    page = html.render(plan(tmp_path), verdict)
    assert "4 runs: 3 earlier runs from --baseline and this one, oldest to newest" in page
    charts = [a for tag, a in Page(page).tags if tag == "svg" and a.get("data-chart", "").startswith("history")]
    assert [c["data-chart"] for c in charts] == [f"history {o.name}" for o in OBJECTIVES]
    section = page[page.index('<section class="history">'):]
    p95 = section[:section.index("</figure>")]
    assert 'class="threshold" data-value="300"' in p95  # the threshold drawn
    points = [line for line in p95.split("<circle")[1:]]
    assert [p.split("<title>")[1].split("<")[0] for p in points] == [
        "p95 latency at run 1: 100", "p95 latency at run 2: 200", "p95 latency at run 3: 300",
        "p95 latency at run 4: 412.3"]


def test_summary_md_has_a_one_line_trend_per_objective_and_the_run_count(tmp_path):
    text = markdown.render(plan(tmp_path), judge(OBJECTIVES, measurements(), baseline()))
    assert "**History** (4 runs: 3 earlier runs from --baseline and this one" in text
    line = next(line for line in text.splitlines() if line.startswith(f"- {P95.name}:"))
    assert "`▁▃▅█` 100 ms → 412.3 ms (4 of 4 runs measured it)" in line


def test_no_baseline_no_history(tmp_path):
    verdict = judge(OBJECTIVES, measurements())
    assert "History" not in markdown.render(plan(tmp_path), verdict)
    assert 'class="history"' not in html.render(plan(tmp_path), verdict)
