"""The comparison as a console table, Markdown (for a pull request comment) or JSON (formatting only)."""

from __future__ import annotations

import json
import math

from loadgate.compare.changes import Changes, Row
from loadgate.judge.regression import change_text
from loadgate.printable import markdown_cell as cell
from loadgate.printable import visible
from loadgate.units import format_number

LABELS = {"p50_ms": "p50", "p90_ms": "p90", "p95_ms": "p95", "p99_ms": "p99", "error_rate": "error rate",
          "rps": "throughput"}
MARKS = {"worse": "❌ worse", "better": "✅ better", "same": "same", "inconclusive": "❔ inconclusive"}
HEADER = ("request", "figure", "baseline", "now", "change", "interval", "decision")
MARKDOWN_ROWS = 200  # per table: a GitHub comment holds 65 536 characters, a row ~100


def shown(figure: str, value: float | None) -> str:
    if value is None:
        return "–"
    if figure == "error_rate":
        return f"{format_number(round(value * 100, 3))} %"
    return f"{value:.1f}/s" if figure == "rps" else f"{value:.1f} ms"


def change(row: Row) -> str:
    d = row.decision
    return change_text(d.change) if d.ratio is not None else "n/a"


def interval(row: Row) -> str:
    d = row.decision
    if d.low is None or d.high is None:
        return "–"
    return (f"{change_text(d.low - 1)} .. {change_text(d.high - 1)} "
            f"({format_number(round(d.confidence * 100, 2))} %)")


def cells(row: Row) -> tuple[str, ...]:
    return (row.scope, LABELS[row.figure], shown(row.figure, row.baseline), shown(row.figure, row.now),
            change(row), interval(row), row.outcome)


def headline(changes: Changes) -> str:
    counts = ", ".join(f"{changes.count(o)} {o}" for o in ("worse", "better", "inconclusive", "same"))
    runs = len(changes.baseline)
    return (f"{counts} of {len(changes.rows)} figures compared ({runs} baseline run{'s' * (runs != 1)} "
            f"vs {changes.current}; {format_number(round(changes.confidence * 100, 2))} % confidence, "
            f"same within +-{format_number(round(changes.threshold * 100, 2))} %, Holm-corrected over "
            f"all {len(changes.rows)})")


def one_side(changes: Changes) -> list[str]:
    lines = []
    for names, where in ((changes.only_baseline, "only in the baseline runs"),
                         (changes.only_now, "only in this run")):
        if names:
            lines.append(f"{len(names)} request{'s' * (len(names) != 1)} {where}: " + ", ".join(names))
    return lines


def console(changes: Changes) -> str:
    table = [HEADER] + [(visible(row.scope), *cells(row)[1:]) for row in changes.rows]  # the rest is ours
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    right = {2, 3, 4}
    lines = ["  ".join(c.rjust(w) if i in right else c.ljust(w)
                       for i, (c, w) in enumerate(zip(r, widths))).rstrip() for r in table]
    settle = [f"{visible(r.scope)} {LABELS[r.figure]}: {visible(r.decision.settle)}"
              for r in changes.rows if r.outcome == "inconclusive" and r.decision.settle][:10]
    return "\n".join([headline(changes), ""] + lines + [""] * bool(settle) + settle
                     + [""] * bool(one_side(changes)) + [visible(x) for x in one_side(changes)]) + "\n"


def markdown(changes: Changes) -> str:
    worse = changes.count("worse")
    title = f"❌ {worse} worse" if worse else "✅ nothing worse"
    head = ["| " + " | ".join(HEADER) + " |", "| --- | --- | ---: | ---: | ---: | ---: | --- |"]

    def table(rows) -> list[str]:
        more = len(rows) - MARKDOWN_ROWS
        return head + [f"| {cell(row.scope)} | " + " | ".join(cell(c) for c in cells(row)[1:-1])
                       + f" | {MARKS[row.outcome]} |" for row in rows[:MARKDOWN_ROWS]] + (
            [f"| … {more} more (`--format json` has every one) | | | | | | |"] if more > 0 else [])

    moved = [r for r in changes.rows if r.outcome != "same"]
    same = [r for r in changes.rows if r.outcome == "same"]
    lines = [f"## loadgate compare: {title}", "", cell(headline(changes)), ""]
    lines += table(moved) if moved else ["Every figure is the same within the threshold."]
    if same:
        lines += ["", f"<details><summary>{len(same)} figures the same within the threshold</summary>",
                  ""] + table(same) + ["", "</details>"]
    lines += [""] * bool(one_side(changes)) + [f"- {cell(x)}" for x in one_side(changes)]
    return "\n".join(lines) + "\n"


def _number(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(x, 6)


def entry(row: Row) -> dict:
    d = row.decision
    return {"request": row.scope, "figure": row.figure, "baseline": _number(row.baseline),
            "now": _number(row.now), "change_pct": None if d.change is None or not math.isfinite(d.change)
            else round(d.change * 100, 2),
            "interval_pct": None if d.low is None else [_number((d.low - 1) * 100), _number((d.high - 1) * 100)],
            "interval_level": d.confidence, "decision": row.outcome, "basis": d.basis,
            "settle": d.settle or None}


def as_json(changes: Changes) -> str:
    doc = {"baseline": list(changes.baseline), "current": changes.current,
           "confidence": changes.confidence, "threshold": changes.threshold,
           "summary": {o: changes.count(o) for o in ("worse", "better", "inconclusive", "same")},
           "comparisons": [entry(row) for row in changes.rows],
           "only_in_baseline": list(changes.only_baseline), "only_in_current": list(changes.only_now)}
    return json.dumps(doc, indent=2) + "\n"


FORMATS = {"console": console, "markdown": markdown, "json": as_json}
