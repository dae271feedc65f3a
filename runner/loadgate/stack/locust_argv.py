"""The Locust command lines loadgate runs (shared by the local and docker stacks)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from loadgate import __version__
from loadgate.config.plan import Plan

PACKAGE = Path(__file__).parents[1]  # loadgate's source: the docker stack mounts it into Locust's image
# The one file Locust is given beside the scenario (-f scenario.py,EXPORTER): named by path only,
# loadgate's own process never imports the Locust side (importing locust monkey-patches it).
ENTRY = "locust_side/loadgate_entry.py"
EXPORTER = PACKAGE / ENTRY


def exporter_env(plan: Plan, port: int, addr: str = "127.0.0.1", own_scraper: bool = False) -> dict[str, str]:
    """Locust's environment: the exporter's settings, and the target host (LOCUST_HOST), which
    stays out of argv because ``ps`` shows argv to every user and the URL may hold a password.
    ``own_scraper``: loadgate's own Prometheus scrapes the exporter (with the run's id)."""
    return {
        **({"LOADGATE_OWN_SCRAPER": "1"} if own_scraper else {}),
        "LOCUST_HOST": plan.host,
        "LOADGATE_EXPORTER_ADDR": addr,
        "LOADGATE_EXPORTER_PORT": str(port),
        "LOADGATE_WARMUP": repr(plan.warmup),
        "LOADGATE_RUN_ID": plan.run_id,
        "LOADGATE_VERSION": __version__,  # workers on other hosts must run the same (locust_side/roster.py)
        "PYTHONUNBUFFERED": "1",
        "LOADGATE_STOP_AFTER": repr(plan.duration),  # where -t cannot end the load (listeners.py)
    }


def run_time(duration: float) -> str:
    """Locust's ``-t``: whole seconds only (``20s``, no ``4.5s`` or ``4500ms``), rounded up.  A
    fractional duration is ended on time by the exporter (LOADGATE_STOP_AFTER), the way ``-t``
    ends a load: ``runner.quit()`` from a timer started with the load; so is a load with a
    LoadTestShape, which Locust runs without regard to ``-t``."""
    return f"{max(math.ceil(duration), 1)}s"


def spawn_rate(rate: float) -> str:
    """Locust parses ``-r`` as a float: any finite positive number, written without loss."""
    return repr(float(rate))


def locustfiles(plan: Plan, exporter: Path | str = EXPORTER) -> str:
    return f"{plan.locustfile},{exporter}"


def master_args(plan: Plan, master_port: int | None, bind: str = "127.0.0.1",
                exporter: Path | str = EXPORTER) -> list[str]:
    """Arguments after ``locust``: standalone for one worker, a master for several."""
    args = [
        "-f", locustfiles(plan, exporter), "--headless",
        "-u", str(plan.users), "-r", spawn_rate(plan.spawn_rate), "-t", run_time(plan.duration),
        "--only-summary", "--exit-code-on-error", "0", "--stop-timeout", "0",
    ]
    if plan.distributed:
        args += ["--master", "--expect-workers", str(plan.workers + plan.remote_workers),
                 "--master-bind-host", bind, "--master-bind-port", str(master_port)]
    if plan.remote_workers:  # loadgate's own wait (stack/remote.py) ends first and says who came
        args += ["--expect-workers-max-wait", f"{plan.remote_workers_wait + 30:g}"]
    return args + list(plan.locust_args)


def worker_args(plan: Plan, master_host: str, master_port: int,
                exporter: Path | str = EXPORTER) -> list[str]:
    return ["-f", locustfiles(plan, exporter), "--worker", "--master-host", master_host,
            "--master-port", str(master_port), *plan.locust_args]


def locust_argv(args: list[str]) -> list[str]:
    """Run the Locust that is installed beside loadgate, whatever PATH says."""
    return [sys.executable, "-m", "locust", *args]
