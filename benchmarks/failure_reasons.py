"""Cost of counting failure reasons inside Locust, per failed request (runner/loadgate/locust_side/
failure_reasons.py): the cached text against cleaning it every time, and against Locust's own
per-failure work (StatsError.create_key).  Prints ratios measured in one run.

    .venv/bin/python benchmarks/failure_reasons.py
"""

from __future__ import annotations

import time

N = 50_000


def per_call(function, *args) -> float:
    started = time.perf_counter()
    for _ in range(N):
        function(*args)
    return (time.perf_counter() - started) / N * 1e6


def main() -> None:
    from locust.stats import StatsError
    from requests.exceptions import HTTPError

    from loadgate.locust_side import failure_reasons as module  # imports Locust: this script is its own process

    error = HTTPError("500 Server Error: Internal Server Error for url: /status/500?token=abc")
    tally = module.Reasons()
    cached = per_call(lambda: tally.add_failure("GET", "/x", "window", module.failure_reason(error)))
    uncached = per_call(lambda: tally.add_failure("GET", "/x", "window", module._reason_text(error)))
    locust = per_call(StatsError.create_key, "GET", "/status/500", error)
    print(f"per failed request: cached {cached:.2f} us, cleaned every time {uncached:.2f} us "
          f"(ratio {uncached / cached:.1f}); Locust's own create_key {locust:.2f} us "
          f"(ours / Locust's: {cached / locust:.2f})")


if __name__ == "__main__":
    main()
