"""report.html from plain data: self-contained, every figure and threshold shown, escaped."""

import json
import re

from loadgate.judge.verdict import judge
from loadgate.report import html, json_report
from tests.helpers import OBJECTIVES, breached, failed_infrastructure, measurements, passed_with_warning, plan
from tests.report.html_page import Page


def render(tmp_path, verdict) -> str:
    return html.render(plan(tmp_path), verdict)


def test_page_is_self_contained(tmp_path):
    text = render(tmp_path, breached())
    assert "<script" not in text and "<link" not in text and "@import" not in text
    assert not re.search(r"""(src|href)\s*=|url\(""", text)
    assert not re.search(r"https?://(?!(\*\*\*@)?127\.0\.0\.1)", text)  # only the target host, as text


def test_credentials_in_the_host_never_appear(tmp_path):
    text = render(tmp_path, breached())
    assert "secret" not in text and "http://***@127.0.0.1:8080" in text


def test_slo_table_shows_measured_values_as_results_json(tmp_path):
    verdict = breached()
    page = Page(render(tmp_path, verdict))
    slos = json.loads(json_report.render(plan(tmp_path), verdict))["slos"]
    rows = [r for r in page.rows if len(r) == 5 and r[0][0] in ("pass", "warn", "fail", "error")]
    assert [r[1][0] for r in rows] == [s["name"] for s in slos]
    for row, slo, result in zip(rows, slos, verdict.results):
        assert row[0][0] == slo["status"]
        assert float(row[2][1]["data-value"]) == slo["measured"]
        assert row[2][0] == result.objective.format_value(result.measured)
        assert row[3][0] == slo["threshold"]
    assert rows[0][0][0] == "fail" and "412.3 ms" in rows[0][4][0]


def test_request_table_matches_results_json(tmp_path):
    verdict = breached()
    page = Page(render(tmp_path, verdict))
    doc = json.loads(json_report.render(plan(tmp_path), verdict))
    by_label = {r[0][0]: [c for c, _ in r[1:]] for r in page.rows if len(r) == 9}
    for entry in doc["requests"] + [dict(doc["totals"], method="all", name="requests")]:
        cells = by_label[f"{entry['method']} {entry['name']}"]
        assert int(cells[0]) == entry["requests"] and int(cells[1]) == entry["failures"]
        assert float(cells[3]) == round(entry["rps"], 1)
        assert [float(c) for c in cells[4:]] == [round(entry[k], 1) for k in ("p50_ms", "p90_ms", "p95_ms", "p99_ms")]


def test_every_latency_and_throughput_threshold_is_drawn(tmp_path):
    text = render(tmp_path, breached())
    charts = {m.group(1): m.group(0)
              for m in re.finditer(r'<svg class="chart" data-chart="(\w+)".*?</svg>', text, re.S)}
    assert set(charts) == {"latency", "rps", "failures", "users"}

    def values(svg: str) -> list[float]:
        return sorted(float(v) for v in re.findall(r'class="threshold" data-value="([\d.]+)"', svg))

    assert values(charts["latency"]) == [250, 300, 500]  # warn and max of p95, max of p99
    assert values(charts["rps"]) == [50]
    assert "p99 GET /items ≤ 500 ms" in charts["latency"] and "≥ 50 req/s" in charts["rps"]
    for svg in charts.values():
        assert svg.count('class="series"') >= 1 and "no data" not in svg


def test_thresholds_are_inside_the_plotted_range(tmp_path):
    text = render(tmp_path, breached())
    latency = re.search(r'data-chart="latency".*?</svg>', text, re.S).group(0)
    top_label = re.findall(r'class="tick"[^>]*>([\dk.]+) ms<', latency)
    assert top_label and float(top_label[0].replace("k", "e3")) >= 500


def test_warmup_band_and_gaps(tmp_path):
    text = render(tmp_path, breached())
    assert text.count('class="band"') == 4 and "warm-up" in text
    latency = re.search(r'data-chart="latency".*?</svg>', text, re.S).group(0)
    assert latency.count('<polyline class="series"') == 3  # the two missing steps are skipped, not zero


def test_no_timeline_still_renders_tables(tmp_path):
    verdict = judge(OBJECTIVES, measurements(with_timeline=False))
    text = render(tmp_path, verdict)
    assert "<svg" not in text and "No timeline" in text and "GET /items" in text


def test_infrastructure_error_page(tmp_path):
    text = render(tmp_path, failed_infrastructure())
    assert "ERROR" in text and "prometheus died during the load (exit code 1).\nprometheus printed:\nts=" in text
    assert "err=&quot;&lt;no space left&gt;&quot;" in text and "<svg" not in text
    assert len(Page(text).find("span", **{"class": "pill error"})) == len(OBJECTIVES)


def test_names_are_escaped(tmp_path):
    text = render(tmp_path, passed_with_warning())
    assert "checkout &lt;service&gt;" in text and "<service>" not in text
    assert "POST /checkout&lt;x&gt;" in text and "/checkout<x>" not in text
    assert "PASSED" in text and 'class="pill warn"' in text


def test_a_late_first_scrape_is_explained(tmp_path):
    import dataclasses

    from tests.helpers import timeline

    assert "first scrape" not in render(tmp_path, breached())  # data from the 2nd step: no note
    late = timeline()
    series = {k: (None,) * 6 + v[6:] for k, v in late.series.items()}
    verdict = judge(OBJECTIVES, dataclasses.replace(measurements(), timeline=dataclasses.replace(late, series=series)))
    assert "The lines start 6 s into the load, at Prometheus' first scrape" in render(tmp_path, verdict)
    filled = dataclasses.replace(late, series=series, first_scrape=late.start + 6)
    verdict = judge(OBJECTIVES, dataclasses.replace(measurements(), timeline=filled))
    assert "Prometheus first scraped 6 s into the load: up to there" in render(tmp_path, verdict)
