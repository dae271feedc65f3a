"""What each sub-command does, in terms of the pipeline's stages."""

from __future__ import annotations

import argparse
from types import SimpleNamespace

from loadgate import pipeline
from loadgate.config.plan import build_plan, check_report_dir
from loadgate.redaction import redact_url
from loadgate.units import format_seconds

PLAN_ONLY = dict(host=None, users=None, spawn_rate=None, duration=None, warmup=None, workers=None,
                 stack=None, prometheus_url=None, prometheus_bin=None, report_dir=None,
                 keep_stack=False, quiet=False)


def run(args: argparse.Namespace) -> int:
    plan = build_plan(args)
    check_report_dir(plan.report_dir)
    return pipeline.run(plan).exit_code


def validate(args: argparse.Namespace) -> int:
    plan = build_plan(SimpleNamespace(**{**PLAN_ONLY, **vars(args)}))
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


def worker(args: argparse.Namespace) -> int:
    from loadgate.stack import worker as remote_worker

    return remote_worker.run(args)


COMMANDS = {"run": run, "validate": validate, "up": up, "down": down, "worker": worker}
