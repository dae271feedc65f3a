"""Inside Locust: the link between a master and its workers, beside the figures the exporter ships.

Imported by exporter.py; loadgate's own process never imports it.
- A worker greets its master with its versions right after it connected, tells `loadgate worker`
  (``$LOADGATE_WORKER_STATUS_FILE``: ``connected``, ``refused``, ``lost``), and ends when the
  master's heartbeats stop for ``$LOADGATE_MASTER_TIMEOUT`` s (10; Locust's own limit is 60 s).
- The master checks each greeting (roster.py: refused on other versions), sends a worker that
  joins a running load the start of the window, and writes who left or was lost to the roster.
"""

from __future__ import annotations

import logging
import os
import time

import gevent

from loadgate.locust_side import roster, settings

log = logging.getLogger("loadgate.exporter")


def worker_status(*fields: str) -> None:
    path = os.environ.get("LOADGATE_WORKER_STATUS_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write("\t".join(fields) + "\n")


def attach_worker(runner, locust_version: str) -> None:
    """The runner is connected by now (Locust connects before ``init``): greet the master."""
    def on_refused(environment, msg, **_kw) -> None:
        log.error("loadgate: the master refused this worker: %s", msg.data)
        worker_status("refused", str(msg.data))
        gevent.spawn(environment.runner.quit)

    runner.register_message("loadgate_refused", on_refused)
    runner.send_message("loadgate_hello", roster.greeting(locust_version, runner.master_host,
                                                          runner.master_port))
    worker_status("connected")
    gevent.spawn(watch_master, runner)


def watch_master(runner) -> None:
    """End with the master even when it could not say so (killed, or stopped while it waited for
    its workers: Locust ignores SIGINT then)."""
    timeout = settings.seconds("LOADGATE_MASTER_TIMEOUT", 10.0)
    while True:
        gevent.sleep(0.5)
        last = runner.last_heartbeat_timestamp
        if last is not None and last < time.time() - timeout:
            log.error("loadgate: no heartbeat from the master for %.0f s: it is gone", timeout)
            worker_status("lost", f"no heartbeat from the master for {timeout:g} s")
            runner.quit()
            return


def attach_master(runner, roll, exporter) -> None:
    """``roll``: roster.Roll; ``exporter``: the master's Exporter (load_start, window_start, ...)."""
    def on_hello(environment, msg, **_kw) -> None:
        why = roll.greeted(msg.node_id, msg.data or {})
        if why:
            log.error("loadgate: refused %s", why)
            environment.runner.send_message("loadgate_refused", why, client_id=msg.node_id)
        elif exporter.window_start is not None:  # joining a running load: when the window starts
            environment.runner.send_message("loadgate_window", exporter.window_start,
                                            client_id=msg.node_id)

    def watch_workers() -> None:
        while True:
            gevent.sleep(0.25)
            started = exporter.load_start is not None
            roll.check(runner.clients, started and exporter.load_end is None, started)

    runner.register_message("loadgate_hello", on_hello)
    gevent.spawn(watch_workers)
