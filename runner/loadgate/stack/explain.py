"""A failed process in an error message: a one-sentence headline, then the lines of its output
that explain the failure, not its start-up banner.

The one home for both: every "Locust exited ..." / "Prometheus exited ..." error of the stack
and the pipeline builds its message with :func:`with_output`.  Picked, in the output's order:
the last Python traceback (from ``Traceback (most recent call last):`` to its exception line),
and every line logged at ERROR or CRITICAL (Locust's ``host/ERROR/logger:``, Prometheus'
``level=error``), written by argparse (``prog: error: ...``) or starting with ``Error`` (Docker's
``Error response from daemon``), and a Go ``panic:``.  Without any of these, the last lines that
are not INFO log lines (Locust's start-up banner is); without those, the last line.
"""

from __future__ import annotations

import re

TRACEBACK = "Traceback (most recent call last):"
ERROR_LINE = re.compile(r"/(ERROR|CRITICAL)/|\blevel=(error|fatal|ERROR|FATAL)\b|^[\w.-]+: error: "
                        r"|^\s*(error|fatal|critical|panic)\b", re.IGNORECASE)
INFO_LINE = re.compile(r"/(INFO|DEBUG)/|\blevel=(info|debug)\b", re.IGNORECASE)
LIMIT = 20  # lines kept, the last ones: a traceback ends with its exception
OTHERS = 5  # lines kept when none is an error


def traceback_lines(lines: list[str]) -> range:
    """The indices of the last traceback: its header, the indented frames, the exception line."""
    starts = [i for i, line in enumerate(lines) if line.strip() == TRACEBACK]
    if not starts:
        return range(0)
    end = starts[-1] + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    return range(starts[-1], min(end + 1, len(lines)))


def explaining_lines(output: str, limit: int = LIMIT) -> list[str]:
    """The lines of ``output`` that explain a failure (see the module's docstring)."""
    lines = output.rstrip().splitlines()
    picked = set(traceback_lines(lines))
    picked.update(i for i, line in enumerate(lines) if ERROR_LINE.search(line))
    return [lines[i] for i in sorted(picked)][-limit:]


def sentence(headline: str) -> str:
    """A headline as a sentence: no trailing colon, a full stop."""
    text = headline.rstrip().rstrip(":").rstrip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def with_output(headline: str, output: str, who: str = "Locust") -> str:
    """``headline`` as a sentence, then what ``who`` printed that explains it."""
    picked = explaining_lines(output)
    if picked:
        return "\n".join([sentence(headline), f"{who} printed:"] + picked)
    lines = [line for line in output.splitlines() if line.strip()]
    others = [line for line in lines if not INFO_LINE.search(line)][-OTHERS:]
    if others:
        return "\n".join([sentence(headline), f"{who} printed no error or traceback; its last lines:"]
                         + others)
    said = f"its last line: {lines[-1].strip()}" if lines else "it printed nothing"
    return f"{sentence(headline)}\n({who} printed no error or traceback; {said})"
