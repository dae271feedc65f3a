"""Where the exporter's listeners sit among the locustfile's, and the load's end with a shape.

Locust calls a hook's listeners in the order they were added (``quitting`` in reverse), and a
listener that raises RescheduleTask, StopUser or InterruptTaskSet ends the round: the listeners
after it are never called (``EventHook.fire`` re-raises those).  The exporter is loaded after the
scenario, so its listeners came last:

- a request listener that raises RescheduleTask on a failed request (Locust's
  ``response_validations`` example) hid every failed request from the exporter: "Prometheus holds
  455 requests, Locust measured 910";
- a ``test_start`` listener that blocks (waiting for workers' answers to a custom message) kept the
  exporter from noting the start of the load: a load shorter than the block was never judged, a
  longer one lost the blocked seconds from its window.

So at ``init`` (after every locustfile is imported and the scenario's own init listeners ran) the
exporter's ``request`` and ``test_start`` listeners move to the front (:func:`run_first`).  Its
``quitting`` listener, added last, already runs first: the final figures are scraped before the
scenario's own quitting listeners run, and one that raises afterwards cannot lose them (loadgate
reads Locust's exit code after FINAL_SCRAPED as a note, not a failure: stack/base.py).

An exception in an ``init`` listener makes Locust exit 1 once every init listener ran; the exporter
then does not start serving (:func:`init_failed`), so loadgate reports the locustfile's error
(exit 2, with the traceback Locust logged) instead of a load that ended without figures.

A LoadTestShape: Locust ignores ``-t`` when a shape is defined and runs it until ``tick()`` returns
None.  loadgate's duration bounds the load all the same (it is the CI job's time box and the
end of the evaluation window): :func:`stop_at` ends it there with ``runner.quit()``, the way ``-t``
does; a shape that ends sooner ends the load sooner, and the verdict notes it.
"""

from __future__ import annotations

import gevent
from locust import log as locust_log

FINAL_SCRAPED = "loadgate exporter: the final figures were scraped"  # read by stack/base.py


def run_first(hook, handler) -> None:
    """``handler`` becomes the first listener of Locust's event ``hook``."""
    handlers = hook._handlers  # EventHook keeps its listeners in this list (Locust 2.x)
    if handler in handlers:
        handlers.remove(handler)
    handlers.insert(0, handler)


def init_failed() -> bool:
    """Whether an ``init`` listener raised (Locust logged it and will exit 1 after init)."""
    return bool(getattr(locust_log, "unhandled_greenlet_exception", False))


def stop_at(environment, seconds: float | None) -> None:
    """End the load after ``seconds`` when ``-t`` does not: with a LoadTestShape (Locust ignores
    -t then), or when -t says otherwise (it takes whole seconds only)."""
    run_time = getattr(environment.parsed_options, "run_time", None)
    if seconds is not None and (environment.shape_class is not None or run_time != seconds):
        gevent.spawn_later(seconds, environment.runner.quit)
