"""A small HTTP service whose latency and failures a test controls over time (loopback only).

``Service(plan)``: ``plan(method, path, t)`` returns ``(delay_seconds, status)`` for a request
arriving ``t`` seconds after the first one.  ``/metrics`` serves Prometheus counters of the
requests and the 5xx answers it gave, for ``scrape:`` + ``promql`` objectives.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

Plan = Callable[[str, str, float], tuple[float, int]]


class Service:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.first: float | None = None
        self.requests = 0
        self.errors = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.target = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Service:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, method: str, path: str) -> tuple[float, int]:
        with self.lock:
            now = time.monotonic()
            self.first = self.first if self.first is not None else now
            delay, status = self.plan(method, path, now - self.first)
            self.requests += 1
            self.errors += status >= 500
        return delay, status

    def metrics(self) -> bytes:
        return (f"# TYPE controlled_requests_total counter\ncontrolled_requests_total {self.requests}\n"
                f"# TYPE controlled_errors_total counter\ncontrolled_errors_total {self.errors}\n"
                ).encode()


def _handler(service: Service):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            if self.path == "/metrics":
                body, status = service.metrics(), 200
            else:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                delay, status = service.answer(self.command, self.path)
                time.sleep(delay)
                body = b"ok"
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _serve

        def log_message(self, *args) -> None:
            pass

    return Handler


def locustfile(*requests: str, wait: tuple[float, float] = (0.02, 0.05)) -> str:
    """A Locust scenario sending each ``"METHOD /path"`` in turn, in every user."""
    calls = "\n".join(f"        self.client.request({r.split()[0]!r}, {r.split()[1]!r})"
                      for r in requests)
    return (f"from locust import HttpUser, between, task\n\n"
            f"class U(HttpUser):\n    wait_time = between{wait!r}\n\n"
            f"    @task\n    def all(self):\n{calls}\n")
