"""report.html: one self-contained page (inline CSS and SVG, no script, no network).

The verdict, headline figures, the SLO table, charts over the load (from the timeline's range
queries) with every latency and throughput threshold drawn, and per-request statistics.  Every
figure shown comes from the verdict; the charts come from ``Measurements.timeline``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from loadgate.config.plan import Plan
from loadgate.judge.regression import change_text, decision_text, interval_text
from loadgate.model import Measurements, Objective, RequestFigures, Result, Verdict
from loadgate.printable import visible
from loadgate.redaction import redact_url
from loadgate.report import history
from loadgate.report.html_style import STYLE
from loadgate.report.json_report import measured_in_unit
from loadgate.report.svg import Line, Rule, chart
from loadgate.units import format_ms, format_percentile

HEADLINES = {"pass": ("PASSED", "every SLO met"), "fail": ("FAILED", "at least one SLO breached"),
             "error": ("ERROR", "infrastructure failure: the verdict is unknown")}
PERCENTILES = (("p50", "p50_ms", "#94a3b8"), ("p95", "p95_ms", "#2563eb"), ("p99", "p99_ms", "#7c3aed"))
THRESHOLD, WARN_LEVEL = "#e11d48", "#f59e0b"


def utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def header(plan: Plan, verdict: Verdict) -> str:
    word, sentence = HEADLINES[verdict.status.value]
    figures = verdict.measurements
    when = utc(figures.window.end) if figures else utc(datetime.now(timezone.utc).timestamp())
    return (f'<header class="verdict {verdict.status.value}"><div class="badge">{word}</div>'
            f'<div><h1>{escape(plan.name)}</h1><p>{sentence} · {plan.users} users against '
            f'{escape(redact_url(plan.host))} · {plan.duration:g} s load, {plan.warmup:g} s warm-up'
            f' · {when}</p></div></header>')


def cards(figures: Measurements) -> str:
    t = figures.totals
    share = f"{100 * t.failures / t.requests:.2f}% of requests" if t.requests else "no requests"
    items = (("requests", f"{t.requests}", f"in a {figures.window.seconds:.1f} s window"),
             ("failures", f"{t.failures}", share), ("throughput", f"{t.rps:.1f}", "requests/s"),
             ("p95 latency", format_ms(t.p95_ms), "ms, all requests"), ("p99 latency", format_ms(t.p99_ms), "ms"))
    return '<section class="cards">' + "".join(
        f'<div class="card"><div class="label">{label}</div><div class="value">{value}</div>'
        f'<div class="sub">{sub}</div></div>' for label, value, sub in items) + "</section>"


def slo_row(result: Result) -> str:
    objective, status = result.objective, result.status.value
    measured = "–" if result.measured is None else objective.format_value(result.measured)
    value = measured_in_unit(result)
    return (f'<tr class="slo {status}"><td><span class="pill {status}">{status}</span></td>'
            f'<td>{text(objective.name)}</td>'
            f'<td class="num" data-value="{"" if value is None else value}">{escape(measured)}</td>'
            f'<td class="num">{escape(objective.threshold)}</td>'
            f'<td class="message">{text(result.message)}</td></tr>')


def slo_table(verdict: Verdict) -> str:
    rows = "".join(slo_row(r) for r in verdict.results)
    return ('<section><h2>Service level objectives</h2><table class="slos"><thead><tr><th>status</th>'
            '<th>SLO</th><th class="num">measured</th><th class="num">threshold</th><th>detail</th>'
            f'</tr></thead><tbody>{rows}</tbody></table></section>')


def baseline_table(verdict: Verdict) -> str:
    """Baseline, now, change, its interval and the decision of every compared objective."""
    rows = []
    for r in (r for r in verdict.results if r.comparison is not None):
        c, fmt = r.comparison, r.objective.format_value
        css = {"fail": "fail", "pass": "pass"}.get(c.decision, "warn")
        cells = ["missing" if c.baseline is None else fmt(c.baseline), "–" if c.now is None else fmt(c.now),
                 change_text(c.change), interval_text(c) or "–", c.limit]
        rows.append(f'<tr class="slo {css}"><td><span class="pill {css}">{escape(decision_text(c))}</span></td>'
                    f'<td>{escape(r.objective.name)}</td>'
                    + "".join(f'<td class="num">{escape(x)}</td>' for x in cells)
                    + f'<td class="message">{escape(c.settle or c.basis)}</td></tr>')
    if not rows:
        return ""
    head = "".join(f'<th class="num">{h}</th>' for h in ("baseline", "now", "change", "interval", "limit"))
    return ('<section><h2>Against the baseline</h2><table class="slos"><thead><tr><th>decision</th>'
            f'<th>SLO</th>{head}<th>detail</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def request_row(label: str, r: RequestFigures, css: str = "") -> str:
    share = f"{100 * r.failures / r.requests:.2f}%" if r.requests else "–"
    cells = [f"{r.requests}", f"{r.failures}", share, f"{r.rps:.1f}",
             format_ms(r.p50_ms), format_ms(r.p90_ms), format_ms(r.p95_ms), format_ms(r.p99_ms)]
    return (f'<tr class="{css}"><td>{text(label)}</td>'
            + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>")


def request_table(figures: Measurements) -> str:
    head = "".join(f'<th class="num">{h}</th>' for h in (
        "requests", "failures", "failed", "req/s", "p50 ms", "p90 ms", "p95 ms", "p99 ms"))
    rows = "".join(request_row(f"{r.method} {r.name}", r) for r in figures.requests)
    rows += request_row("all requests", figures.totals, "total")
    return (f'<section><h2>Requests</h2><table class="requests"><thead><tr><th>request</th>{head}'
            f'</tr></thead><tbody>{rows}</tbody></table></section>')


def latency_rules(objectives: list[Objective]) -> list[Rule]:
    rules = []
    for o in objectives:
        scope = "" if o.scope == "all" else f" {o.scope}"
        if o.sli == "latency" and o.max is not None:
            rules.append(Rule(f"p{format_percentile(o.percentile)}{scope} ≤ {o.max:g} ms", o.max, THRESHOLD))
            if o.warn is not None:
                rules.append(Rule(f"p{format_percentile(o.percentile)}{scope} warn {o.warn:g} ms", o.warn, WARN_LEVEL))
    return rules


def throughput_rules(objectives: list[Objective]) -> list[Rule]:
    return [Rule(f"{'≥' if o.min is not None else '≤'} {o.bound:g} req/s{'' if o.scope == 'all' else ' ' + o.scope}",
                 o.bound, THRESHOLD) for o in objectives if o.sli == "throughput"]


def legend(lines: list[Line], rules: list[Rule]) -> str:
    items = [f'<span><i style="background:{line.colour}"></i>{escape(line.label)}</span>' for line in lines]
    items += [f'<span><i class="dash" style="border-color:{r.colour}"></i>{escape(r.label)}</span>'
              for r in rules]
    return '<div class="legend">' + "".join(items) + "</div>"


def figure(title: str, svg: str, lines: list[Line], rules: list[Rule], css: str = "") -> str:
    return (f'<figure class="{css}"><figcaption>{escape(title)}</figcaption>{legend(lines, rules)}'
            f'{svg}</figure>')


def first_scrape_note(times: list[float], timeline) -> str:
    """Say so when the charts start late: Prometheus had not scraped the first seconds yet."""
    seen = [t for i, t in enumerate(times) if timeline.series["users"][i] is not None]
    if not seen or seen[0] <= 2 * timeline.step:
        return ""
    if timeline.first_scrape is not None:
        return (f" Prometheus first scraped {seen[0]:.0f} s into the load: up to there the latency "
                "and rate lines show the average over those seconds (counters start at zero with "
                "the load), and users are not known; every request is in every figure and SLO.")
    return (f" The lines start {seen[0]:.0f} s into the load, at Prometheus' first scrape; the "
            "requests before it are in every figure and SLO all the same.")


def charts(plan: Plan, figures: Measurements) -> str:
    timeline = figures.timeline
    if timeline is None or not timeline.times:
        return '<section><h2>Over time</h2><p class="note">No timeline: Prometheus range queries failed.</p></section>'
    times = [t - timeline.start for t in timeline.times]
    band = (0.0, figures.window.start - timeline.start) if figures.window.start > timeline.start + 0.5 else None
    objectives = list(plan.objectives)  # as written: an `each:` over 1 000 names is one rule
    lat = [Line(label, timeline.series[key], colour) for label, key, colour in PERCENTILES]
    lat_rules = latency_rules(objectives)
    parts = [figure("Latency (ms), all requests", chart("latency", times, lat, lat_rules, " ms", band),
                    lat, lat_rules, "wide")]
    for name, title, key, colour, rules in (
            ("rps", "Requests/s", "rps", "#0d9488", throughput_rules(objectives)),
            ("failures", "Failures/s", "failures_per_s", "#ea580c", []),
            ("users", "Users", "users", "#6366f1", [])):
        lines = [Line(title, timeline.series[key], colour, area=True)]
        parts.append(figure(title, chart(name, times, lines, rules, "", band, width=400, height=250),
                            lines, rules))
    note = (f'<p class="note">Charts: {timeline.step:g} s steps, rates over short windows from '
            'Prometheus range queries, for the picture only; the verdict uses the exact counts of '
            f'the final scrape. Grey: warm-up, outside every SLO.{first_scrape_note(times, timeline)}</p>')
    return '<section><h2>Over time</h2><div class="charts">' + "".join(parts) + f"</div>{note}</section>"


def text(value: object) -> str:
    """Outside text (names, error texts) for the page: control characters made visible, escaped."""
    return escape(visible(value))


EFFECTS = {"stopped_user": "stopped the user", "continued": "task failed, the user went on",
           "stopped_load": "stopped the load"}


def reason_tables(verdict: Verdict) -> str:
    """Why requests failed (in the window) and the locustfile's own exceptions (over the run)."""
    figures, parts = verdict.measurements, []
    if figures.failure_reasons:
        rows = "".join(f'<tr><td>{text(f"{r.method} {r.name}")}</td><td class="message">{text(r.reason)}'
                       f'</td><td class="num">{r.count}</td></tr>' for r in figures.failure_reasons)
        parts.append('<section><h2>Why requests failed</h2><table class="reasons"><thead><tr>'
                     '<th>request</th><th>failure reason (Locust\'s error text)</th>'
                     f'<th class="num">count</th></tr></thead><tbody>{rows}</tbody></table>'
                     '<p class="note">Failed requests in the evaluation window, grouped as Locust '
                     'groups them.</p></section>')
    if figures.user_errors:
        rows = "".join(f'<tr><td>{text(e.type)}</td><td class="message">{text(e.message)}</td>'
                       f'<td>{text(e.location)}</td><td>{EFFECTS.get(e.effect, text(e.effect))}</td>'
                       f'<td class="num">{e.count}</td></tr>' for e in figures.user_errors)
        parts.append('<section><h2>Exceptions in the locustfile</h2><table class="user-errors"><thead>'
                     '<tr><th>exception</th><th>message</th><th>where</th><th>what it did</th>'
                     f'<th class="num">count</th></tr></thead><tbody>{rows}</tbody></table></section>')
    return "".join(parts)


def render(plan: Plan, verdict: Verdict) -> str:
    figures = verdict.measurements
    body = [header(plan, verdict)]
    if verdict.error:
        body.append(f'<div class="error-box">{escape(visible(verdict.error, newlines=True))}</div>')
    body += [f'<div class="error-box note-box">{text(note)}</div>' for note in verdict.notes]
    if figures:
        body += [f'<div class="error-box">Warning: {escape(text)}</div>' for text in figures.warnings]
        body.append(cards(figures))
    body.append(slo_table(verdict))
    body.append(baseline_table(verdict))
    body.append(history.html_section(verdict))
    if figures:
        body += [charts(plan, figures), request_table(figures), reason_tables(verdict),
                 f'<footer>Window {utc(figures.window.start)} – {utc(figures.window.end)} '
                 f'({figures.window.seconds:.1f} s). Generated by loadgate.</footer>']
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>loadgate: {escape(plan.name)} {HEADLINES[verdict.status.value][0]}</title>'
            f'<style>{STYLE}</style></head><body><main>' + "\n".join(body) + "</main></body></html>\n")
