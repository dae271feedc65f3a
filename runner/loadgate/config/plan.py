"""The run plan: command line > environment (LOADGATE_*) > slo.yaml > defaults, all checked."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import urlsplit

from loadgate.config import distributed
from loadgate.config.locustfile import check_locust_args, check_locustfile
from loadgate.config.slo_file import SloDocument, load_slo_file
from loadgate.errors import ConfigError
from loadgate.judge import baseline
from loadgate.judge.baseline import Baseline
from loadgate.model import Objective, Scrape
from loadgate.redaction import redact_url
from loadgate.units import finite_number, format_seconds, parse_duration, parse_port

DEFAULTS = {"users": 10, "spawn_rate": 10.0, "duration": 30.0, "warmup": 0.0, "workers": 1}
STACKS = ("local", "docker")


@dataclass(frozen=True)
class Plan:
    name: str
    slo_path: Path
    locustfile: Path
    host: str
    users: int
    spawn_rate: float
    duration: float
    warmup: float
    workers: int
    objectives: tuple[Objective, ...]
    scrapes: tuple[Scrape, ...] = ()
    stack: str = "local"
    prometheus_url: str | None = None
    prometheus_bin: str | None = None
    report_dir: Path = Path("reports")
    keep_stack: bool = False
    quiet: bool = False
    locust_args: tuple[str, ...] = field(default_factory=tuple)
    baseline: Baseline | None = None  # --baseline: earlier runs' results.json
    run_id: str = ""  # a label on every series this run exports; every query selects it
    # beyond one machine (config/distributed.py)
    remote_workers: int = 0  # Locust workers on other hosts, besides the local `workers`
    master_bind: str = "127.0.0.1"  # where the Locust master listens when it has remote workers
    master_port: int | None = None
    remote_workers_wait: float = 60.0  # bounded wait for them before the load starts
    # remote write: alone, a copy of every series (the local Prometheus judges); with
    # prometheus_url, the local Prometheus is an agent and the gate judges from that store
    remote_write: str | None = None
    store_wait: float = 30.0  # judged from the store: bounded wait for the final figures there
    exporter_port: int = 9646  # --prometheus-url alone: where that Prometheus scrapes the exporter

    @property
    def judged_from_store(self) -> bool:
        """The local Prometheus remote-writes to the store the gate reads (--remote-write with
        --prometheus-url): the final figures reach it some time after the load."""
        return bool(self.remote_write and self.prometheus_url)

    @property
    def distributed(self) -> bool:
        """A Locust master with workers (else one standalone Locust process)."""
        return self.workers > 1 or self.remote_workers > 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = finite_number(text)
    if value <= 0:
        raise ValueError("must be above 0")
    return value


RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}\Z")


def new_run_id() -> str:
    """``20261125T034512-1a2b3c``: sortable by start time, unique in practice."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


def _run_id(text: str) -> str:
    if not RUN_ID.match(text):
        raise ValueError(f"run id {text!r}: use 1-64 letters, digits, '.', '_', ':' or '-', "
                         "starting with a letter or digit")
    return text


def _positive_duration(text: str) -> float:
    value = parse_duration(text, allow_bare_zero=False)
    if value <= 0:
        raise ValueError("must be longer than 0s")
    return value


PARSERS: dict[str, Callable[[str], object]] = {
    "users": _positive_int, "spawn_rate": _positive_float, "workers": distributed.count,
    "duration": _positive_duration, "warmup": parse_duration, "run_id": _run_id,
    "remote_workers": distributed.count, "remote_workers_wait": _positive_duration,
    "store_wait": _positive_duration, "connect_timeout": _positive_duration,
    "baseline": baseline.split_paths,
    **{f"{role}_port": parse_port for role in ("exporter", "master", "prometheus", "grafana",
                                                "locust_web")},
}


def pick(name: str, cli: object, environ: Mapping[str, str], from_file: object) -> object:
    """First of: command line, ``LOADGATE_<NAME>``, slo.yaml, default; strings parsed and checked."""
    env_name = "LOADGATE_" + name.upper()
    for source, value in ((f"--{name.replace('_', '-')}", cli), (env_name, environ.get(env_name))):
        if value is None or value == "":
            continue
        try:
            return PARSERS[name](value) if name in PARSERS and isinstance(value, str) else value
        except ValueError as exc:
            raise ConfigError(f"{exc}", key=source) from None
    return from_file if from_file is not None else DEFAULTS.get(name)


def check_host(host: str | None, slo_path: Path) -> str:
    if not host:
        raise ConfigError("no target host: set target.host in the SLO file, -H or LOADGATE_HOST",
                          path=str(slo_path))
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"the host needs a scheme and a name, like http://127.0.0.1:8080 "
                          f"(got {redact_url(host)!r})", key="host")
    return host.rstrip("/")


class Given:
    """A setting as the command line (``args``, when it has the option) or the environment give
    it, else as slo.yaml does (``from_file``), else its default: :func:`pick`."""

    def __init__(self, args, environ: Mapping[str, str]) -> None:
        self.args, self.environ = args, environ

    def __call__(self, name: str, from_file: object = None) -> object:
        return pick(name, getattr(self.args, name, None), self.environ, from_file)


DISTRIBUTION = ("remote_workers", "master_bind", "remote_workers_wait", "remote_write", "store_wait")


def build_plan(args, environ: Mapping[str, str] = os.environ) -> Plan:
    given = Given(args, environ)
    slo_path = Path(given("slo") or "slo.yaml")
    document: SloDocument = load_slo_file(slo_path)
    plan = check_warmup(Plan(
        name=document.spec.name, slo_path=slo_path, objectives=tuple(document.objectives),
        scrapes=tuple(document.scrapes), **run_settings(given, slo_path, document),
        **load_settings(given, document),
        keep_stack=bool(args.keep_stack), quiet=bool(getattr(args, "quiet", False)),
        locust_args=check_locust_args(args.locust_args or ()),
    ))
    from_file = {"remote_workers": document.spec.load.remote_workers}
    return distributed.settle(plan, {name: given(name, from_file.get(name)) for name in DISTRIBUTION})


def load_settings(given: Given, document: SloDocument) -> dict:
    """The load's shape: slo.yaml's ``load:``, overridden by the command line and environment."""
    load = document.spec.load
    return {name: given(name, getattr(load, name))
            for name in ("users", "spawn_rate", "duration", "warmup", "workers")}


def run_settings(given: Given, slo_path: Path, document: SloDocument) -> dict:
    """Where the load goes and where the run's parts live."""
    stack = str(given("stack") or "local")
    if stack not in STACKS:
        raise ConfigError(f"unknown stack {stack!r}; expected local or docker", key="--stack")
    return {
        "locustfile": check_locustfile(Path(given("locustfile") or "load_tests/loadtest.py")),
        "host": check_host(given("host", document.spec.target.host), slo_path), "stack": stack,
        "prometheus_url": given("prometheus_url"), "prometheus_bin": given("prometheus_bin"),
        "report_dir": Path(given("report_dir") or "reports"),
        "baseline": baseline.load(given("baseline")),
        "run_id": str(given("run_id") or new_run_id()),
        "exporter_port": given("exporter_port", 9646),
    }


def check_report_dir(path: Path) -> Path:
    """The report dir exists (or is created) and takes a file, checked before anything starts."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".loadgate-check-"):
            pass
    except FileExistsError:
        raise ConfigError(f"{path} is a file, not a directory", key="--report-dir") from None
    except OSError as exc:
        raise ConfigError(f"cannot write reports to {path}: {exc.strerror or exc}",
                          key="--report-dir") from None
    return path


MAX_DURATION = 366 * 86400.0  # a year: beyond it Locust's -t overflows its time arithmetic


def check_warmup(plan: Plan) -> Plan:
    if plan.duration > MAX_DURATION:
        raise ConfigError(f"the duration ({format_seconds(plan.duration)}) is longer than the "
                          f"limit of {MAX_DURATION / 86400:.0f} days", key="duration")
    if plan.warmup >= plan.duration:
        raise ConfigError(f"the warm-up ({plan.warmup:g}s) must be shorter than the duration "
                          f"({plan.duration:g}s): nothing would be left to judge", key="warmup")
    return plan
