"""What each sub-command does, in terms of the pipeline's stages.

Each command imports what it needs when it runs: ``loadgate compare`` does not load the
pipeline (0.25 s of imports), ``loadgate run`` not numpy and scipy."""

from __future__ import annotations

import argparse
import gc
import os
from types import SimpleNamespace

from loadgate.redaction import redact_url
from loadgate.units import format_seconds

BLAS_THREADS = "OPENBLAS_NUM_THREADS"  # read by numpy's and scipy's OpenBLAS when they load
PLAN_ONLY = {"report_dir": None, "keep_stack": False, "quiet": False}  # what validate does not take


def run(args: argparse.Namespace) -> int:
    from loadgate.stack import standby

    with standby.on_standby():  # Locust imports while loadgate does (stack/standby.py)
        from loadgate import pipeline
        from loadgate.config.plan import build_plan, check_report_dir

        plan = build_plan(args)
        check_report_dir(plan.report_dir)
        return pipeline.run(plan).exit_code


def validate(args: argparse.Namespace) -> int:
    from loadgate.config.locustfile import check_imports
    from loadgate.config.plan import build_plan

    plan = build_plan(SimpleNamespace(**{**PLAN_ONLY, **vars(args)}))
    check_imports(plan.locustfile)
    print(f"{plan.slo_path}: ok; {plan.locustfile}: ok")
    print(f"plan: {plan.users} users (+{plan.spawn_rate:g}/s) against {redact_url(plan.host)} for "
          f"{format_seconds(plan.duration)}, warm-up {format_seconds(plan.warmup)}, "
          f"{plan.workers} worker(s), {plan.stack} stack")
    if plan.remote_workers:
        print(f"  + {plan.remote_workers} remote worker(s) for the master on "
              f"{plan.master_bind}:{plan.master_port} (waiting up to "
              f"{format_seconds(plan.remote_workers_wait)})")
    for objective in plan.objectives:
        print(f"  - {objective.name}")
    return 0


def up(args: argparse.Namespace) -> int:
    from loadgate.cli import stack_commands  # the docker SDK only when asked for

    return stack_commands.up(args)


def down(args: argparse.Namespace) -> int:
    from loadgate.cli import stack_commands

    return stack_commands.down(args)


def compare(args: argparse.Namespace) -> int:
    """The garbage collector is paused throughout: the command makes no cycle, and collections
    between its stages walked the runs' objects (0.01-0.03 s of 0.7 s for 30 runs of 1 000
    requests; reading and comparing each paused it already).

    numpy and scipy start one BLAS thread, not one per CPU (OPENBLAS_NUM_THREADS, unless set):
    the comparison makes no BLAS call, and each library's new threads spun for ~0.1 s on the
    second core, where a child reads runs meanwhile (judge/forked_reader.py), halving its speed
    (0.03 s of the command, 0.1 s of CPU)."""
    enabled, threads = gc.isenabled(), os.environ.get(BLAS_THREADS)
    gc.disable()
    os.environ[BLAS_THREADS] = threads or "1"
    try:
        return _compare(args)
    finally:
        if threads is None:
            del os.environ[BLAS_THREADS]
        if enabled:
            gc.enable()


def _compare(args: argparse.Namespace) -> int:
    from loadgate.compare import changes, formats, runs  # numpy and scipy only when asked for
    from loadgate.errors import ConfigError
    from loadgate.units import parse_confidence, parse_regression

    if len(args.runs) < 2:
        raise ConfigError("give at least one baseline run and the run to compare (BASELINE... CURRENT)",
                          key="compare")
    try:
        confidence = parse_confidence(args.confidence)
    except ValueError as exc:
        raise ConfigError(str(exc), key="--confidence") from None
    try:
        threshold = parse_regression(args.threshold)
    except ValueError as exc:
        raise ConfigError(str(exc), key="--threshold") from None
    if not 0 < threshold < 1:
        raise ConfigError(f"the threshold must lie between 0% and 100% (both excluded), got "
                          f"{args.threshold!r}", key="--threshold")
    current = runs.current_run(args.runs[-1])
    result = changes.compare(runs.baseline_runs(args.runs[:-1], current), current, confidence, threshold)
    print(formats.FORMATS[args.format](result), end="")
    return 1 if args.fail_on == "worse" and result.count("worse") else 0


def worker(args: argparse.Namespace) -> int:
    from loadgate.stack import worker as remote_worker

    return remote_worker.run(args)


COMMANDS = {"run": run, "validate": validate, "up": up, "down": down, "worker": worker, "compare": compare}
