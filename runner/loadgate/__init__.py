"""loadgate: a load test as a CI gate (Locust -> Prometheus -> SLO verdict)."""

__version__ = "0.2.0"
