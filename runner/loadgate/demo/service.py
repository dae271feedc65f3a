"""The bundled demo service: a small shop API with realistic latency and a few failures.

``python -m loadgate.demo --port 8080`` serves on 127.0.0.1:
  GET  /items          lognormal latency, median ~20 ms
  GET  /items/<id>     median ~10 ms; ids above 900 are 404s
  POST /checkout       median ~40 ms, ~2 % 500s
  GET  /health, GET /metrics (its own Prometheus metrics, for `scrape:` examples)
"""

from __future__ import annotations

import argparse
import json
import math
import random
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest

SERVED = Counter("demo_requests_total", "Requests served by the demo service", ["path", "status"])


class Behaviour:
    def __init__(self, scale: float, error_rate: float, sigma: float) -> None:
        self.scale, self.error_rate, self.sigma = scale, error_rate, sigma

    def pause(self, median_ms: float) -> None:
        time.sleep(median_ms * self.scale * math.exp(random.gauss(0, self.sigma)) / 1000)

    def fails(self) -> bool:
        return random.random() < self.error_rate


class Handler(BaseHTTPRequestHandler):
    behaviour: Behaviour
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet: the load generator does the logging
        pass

    def reply(self, status: int, body: dict | str, content_type: str = "application/json") -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        SERVED.labels(self.path.split("?")[0].rsplit("/", 1)[0] or self.path, str(status)).inc()

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/metrics":
            return self.reply(200, generate_latest().decode(), CONTENT_TYPE_LATEST)
        if path == "/health":
            return self.reply(200, {"status": "ok"})
        if path == "/items":
            self.behaviour.pause(20)
            return self.reply(200, {"items": list(range(20))})
        if path.startswith("/items/") and path[7:].isdigit():
            self.behaviour.pause(10)
            item = int(path[7:])
            return self.reply(404, {"error": "no such item"}) if item > 900 else self.reply(200, {"id": item})
        self.reply(404, {"error": "not found"})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.split("?")[0] != "/checkout":
            return self.reply(404, {"error": "not found"})
        self.behaviour.pause(40)
        if self.behaviour.fails():
            return self.reply(500, {"error": "payment backend unavailable"})
        self.reply(200, {"order": random.randint(1, 10**6)})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m loadgate.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every latency")
    parser.add_argument("--error-rate", type=float, default=0.02, help="failure share of POST /checkout")
    parser.add_argument("--sigma", type=float, default=0.5, help="spread of the lognormal latency")
    args = parser.parse_args(argv)
    Handler.behaviour = Behaviour(args.scale, args.error_rate, args.sigma)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"demo service on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
