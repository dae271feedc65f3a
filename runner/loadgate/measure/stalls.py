"""Stretches of the window in which no request completed while users ran.

A task that blocks Locust's event loop (``time.sleep`` or blocking I/O that gevent does not
patch, CPU-bound code) stops every user of its process and the exporter with them: no request
completes, Prometheus' scrapes of the exporter go unanswered, and the figures of that stretch are
Locust's clock stopped, not the service's speed.  Two readings: the exporter measures its own
event loop (how late a 100 ms sleep wakes up; the longest block, per process running users, merged
on the master) -- BLOCKED_AFTER seconds or more is reported; and the raw samples of each scrape
(loadgate_users, one per answered scrape; loadgate_requests_total summed per scrape) show
stretches of STALL_AFTER seconds or more without a completed request while users ran (users
waiting, a service that does not answer).  The verdict warns and notes them on every request
objective (judge/verdict.py).

A third stretch has no users at all: the locustfile's ``test_start`` listeners run after the load
has started (its window counts from there) and before the first user; one that blocks (fetching
test data, waiting for workers' answers) leaves that time in the window without requests.
SLOW_START seconds or more is a warning (:func:`slow_start`).
"""

from __future__ import annotations

import math
import time

from loadgate.measure.promql import BLOCKED, BLOCKED_END, REQUESTS, TEST_START, USERS
from loadgate.measure.reader import Reader
from loadgate.measure.readings import Scrapes
from loadgate.model import Stall, Window

STALL_AFTER = 10.0  # seconds without a completed request while users ran
BLOCKED_AFTER = 2.0  # seconds the exporter's own event loop was blocked in a process with users
SLOW_START = 1.0  # seconds the locustfile's test_start listeners may take before a warning
MISSED_SCRAPES = 1.0  # a gap this long between answered scrapes means Locust did not answer


def read(reader: Reader, window: Window, scrapes: Scrapes | None = None) -> tuple[Stall, ...]:
    """The stalls in ``window`` (the reader is pinned to the window's end): the exporter's own
    measure of its event loop first (it sees blocks before Prometheus' first scrape too), then
    stretches without a completed request in the scrapes (``scrapes``: those read while the load
    ran, watch/early_reads.py; the rest is read now)."""
    blocked = blocked_loop(reader, window)
    idle = tuple(s for s in scraped(reader, window, scrapes)
                 if blocked is None or s.end <= blocked.start or s.start >= blocked.end)
    return ((blocked,) if blocked else ()) + idle


def slow_start(reader: Reader) -> str | None:
    """A warning when the locustfile's test_start listeners held the users back SLOW_START s."""
    seconds = reader.number(f"max({TEST_START})")
    if seconds is None or seconds < SLOW_START:
        return None
    return (f"the locustfile's test_start listeners ran {seconds:.1f} s before any user started; "
            "that time is part of the load and its window, without requests")


def blocked_loop(reader: Reader, window: Window) -> Stall | None:
    seconds, end = reader.number(BLOCKED), reader.number(BLOCKED_END)
    if seconds is None or end is None or seconds < BLOCKED_AFTER:
        return None
    start = max(end - seconds, window.start)
    if end <= window.start or start >= window.end:
        return None
    return Stall(round(start, 3), round(min(end, window.end), 3), round(seconds, 1), blocked=True)


def scraped(reader: Reader, window: Window, scrapes: Scrapes | None = None) -> tuple[Stall, ...]:
    scrapes = read_scrapes(reader, window.start, scrapes or Scrapes())
    found = [(ts, scrapes.users[ts], scrapes.requests.get(ts, 0.0)) for ts in sorted(scrapes.users)]
    return find(found, window)


def read_scrapes(reader: Reader, since: float, scrapes: Scrapes) -> Scrapes:
    """``scrapes`` with the raw samples up to the reader's time (``at``) added: from the last
    scrape they hold, else from ``since`` (two seconds before it: samples are read once).

    Each raw sample of every request series: read in parts while the load runs, they cost the end
    of the run only the last seconds (20 names x 30 min would be 288 000 samples at the end)."""
    until = reader.at if reader.at is not None else time.time()
    begin = scrapes.until if scrapes.until is not None else since - 2
    span = f"{max(math.ceil(until - begin) + 1, 1)}s"
    scrapes.add(reader.raw(f"{REQUESTS}[{span}]"), reader.raw(f"{USERS}[{span}]"), until)
    return scrapes


def find(scrapes: list[tuple[float, float, float]], window: Window,
         threshold: float = STALL_AFTER) -> tuple[Stall, ...]:
    """Pure: (time, users, requests so far) per answered scrape -> stretches of ``threshold`` s
    or more inside the window with no new request while users ran."""
    inside = [s for s in scrapes if window.start <= s[0] <= window.end]
    if not inside:
        return ()
    found, since, last_total, fewest, widest_gap = [], window.start, None, 0.0, 0.0
    previous = window.start
    for ts, users, total in inside + [(window.end, 0.0, math.inf)]:
        widest_gap = max(widest_gap, ts - previous)
        previous = ts
        if last_total is None or total > last_total:
            if last_total is not None and fewest > 0 and ts - since >= threshold:
                found.append(Stall(round(since, 3), round(ts, 3), round(widest_gap, 1)))
            since, fewest, widest_gap = ts, users, 0.0  # users ran at the last completed request
            last_total = total if total != math.inf else last_total
        else:
            fewest = min(fewest, users)  # ...and at every scrape since
    return tuple(found)
