import dataclasses

from loadgate.measure.promql import sliding_query
from loadgate.measure.sliding import steps
from loadgate.model import RequestSelector, Window
from loadgate.stack.prometheus_config import SCRAPE_INTERVAL_S
from tests.helpers import latency, throughput

P50 = latency(50, 150, name="p50", sustain=4)
RPS = throughput(10, name="rps", sustain=4)


def test_queries_and_steps():
    assert steps(Window(100, 103), 4) is None
    assert steps(Window(100, 110), 4) == (104, 110, SCRAPE_INTERVAL_S)
    assert steps(Window(0, 4004), 4)[2] == 2.0  # at most MAX_POINTS positions
    query = sliding_query(P50, Window(100, 110))
    h = 'loadgate_all_requests_duration_seconds{phase="window"}'  # every request: one series
    assert query == (f'histogram_quantile(0.5, ((sum (increase({h}[4240ms])) and sum ({h} offset 4000ms))'
                     f' or sum ({h}))) * 1000')
    one = sliding_query(latency(50, 150, name="one", request="GET /a", sustain=4), Window(100, 110))
    assert 'loadgate_request_duration_seconds{phase="window",name="/a",method="GET"}' in one
    assert "loadgate_all_requests" not in one
    assert sliding_query(RPS, Window(100, 110)).endswith("/ 4")


def test_a_latency_window_over_many_names_steps_within_the_sample_budget():
    from loadgate.measure.sliding import SAMPLE_BUDGET, histograms_read
    window = Window(100, 130)
    assert steps(window, 5)[2] == SCRAPE_INTERVAL_S  # counters: every scrape
    assert steps(window, 5, histograms=1)[2] == SCRAPE_INTERVAL_S  # one histogram: within budget
    first, last, step = steps(window, 5, histograms=1000)
    samples = 1000 * (5 / SCRAPE_INTERVAL_S + 1) * ((last - first) / step + 1)
    assert step > SCRAPE_INTERVAL_S and samples <= SAMPLE_BUDGET * 1.05
    assert histograms_read(P50) == 1 and histograms_read(RPS) == 0
    union = dataclasses.replace(P50, matched=tuple(RequestSelector(f"/{i}", "GET") for i in range(7)))
    assert histograms_read(union) == 7
