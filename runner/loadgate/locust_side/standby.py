"""A Locust process on standby: ``python -u -m loadgate.locust_side.standby`` imports Locust
while loadgate is still reading its own files, then waits for the command line to run.

Importing ``locust.main`` (gevent, its monkey-patching, requests, flask) takes ~0.4 s on this
2-core machine, and loadgate's own start (its imports, slo.yaml, the plan, Prometheus' config)
~0.25 s: started one after the other, the load began ~0.7 s after ``loadgate run`` did, ~0.35 s
later than a bare ``locust`` run's first request.  Started side by side (stack/standby.py), the
two overlap (benchmarks/scale.py's start-up column says what it gains).

The orders come as one JSON line on stdin: ``args`` (what follows ``python -m locust``), ``env``
(the whole environment), ``log`` (the file that takes stdout and stderr) and ``cwd``.  An empty
stdin (loadgate did not need this process: a docker stack, an error in slo.yaml) ends it.  An
import that failed is raised once the output goes to the log, where Locust's own errors go.
"""

from __future__ import annotations

import json
import os
import sys

try:
    import locust.main as locust_main

    _failed: BaseException | None = None
except BaseException as exc:  # shown in the log once there is one (run_orders)
    locust_main, _failed = None, exc


def run_orders(line: str) -> int:
    """Become ``python -m locust ARGS`` as the orders say; Locust's exit code."""
    orders = json.loads(line)
    log = os.open(orders["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    for fd in (1, 2):
        os.dup2(log, fd)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.environ.clear()
    os.environ.update(orders["env"])
    if orders.get("cwd"):
        os.chdir(orders["cwd"])
    if _failed is not None:
        raise _failed
    sys.argv = [locust_main.__file__, *orders["args"]]
    return locust_main.main()


if __name__ == "__main__":
    first = sys.stdin.readline()
    sys.exit(run_orders(first) if first.strip() else 0)
