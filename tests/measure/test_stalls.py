"""Stalls: stretches with no completed request while users ran (pure part)."""

from loadgate.measure.stalls import find
from loadgate.model import Window

W = Window(100.0, 160.0)


def scrapes(*points):
    return [(float(t), float(u), float(n)) for t, u, n in points]


def steady(start, end, users=5, rate=10, base=0, every=0.25):
    t, out = start, []
    while t <= end:
        out.append((t, users, base + rate * (t - start)))
        t += every
    return out


def test_steady_progress_is_no_stall():
    assert find(scrapes(*steady(100, 160)), W) == ()


def test_a_blocked_event_loop_is_a_stall_with_unanswered_scrapes():
    before = steady(100, 110)
    after = steady(140.5, 160, base=before[-1][2] + 1)  # scrapes resume at 140.5 with progress
    (stall,) = find(scrapes(*before, *after), W)
    assert (stall.start, stall.end) == (110.0, 140.5)
    assert stall.unanswered == 30.5
    assert "no request completed for 30.5 s" in stall.describe(W)
    assert "did not answer Prometheus for 30.5 s of it (a blocked event loop?)" in stall.describe(W)


def test_a_stall_that_lasts_to_the_end_of_the_window_counts():
    before = steady(100, 130)
    (stall,) = find(scrapes(*before, (145, 5, before[-1][2])), W)
    assert (stall.start, stall.end) == (130.0, 160.0)


def test_answered_scrapes_without_requests_is_a_stall_without_blocking():
    before = steady(100, 110)
    idle = [(t, 5, before[-1][2]) for t, _, _ in steady(110.25, 125)]
    after = steady(125.25, 160, base=before[-1][2] + 1)
    (stall,) = find(scrapes(*before, *idle, *after), W)
    assert round(stall.seconds, 2) == 15.25 and stall.unanswered < 1
    assert "did not answer" not in stall.describe(W)


def test_no_users_is_no_stall_and_short_pauses_are_ignored():
    before = steady(100, 110)
    idle = [(t, 0, before[-1][2]) for t, _, _ in steady(110.25, 130)]
    after = steady(130.25, 160, base=before[-1][2] + 1)
    assert find(scrapes(*before, *idle, *after), W) == ()
    pause = steady(100, 120) + steady(129, 160, base=1000)  # 9 s: under the threshold
    assert find(scrapes(*pause), W) == ()
