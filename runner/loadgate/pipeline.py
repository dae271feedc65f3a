"""The gate, stage by stage: config -> stack -> watch (the load) -> measure -> judge -> report."""

from __future__ import annotations

import importlib
import logging
import signal
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

from loadgate import phases
from loadgate.config.plan import Plan
from loadgate.errors import TERMINATING, InfraError, StoreRefused, Terminated
from loadgate.model import Measurements, Status, Verdict
from loadgate.redaction import redact_text
from loadgate.stack import leftovers
from loadgate.stack.base import LoadOutcome
from loadgate.stack.explain import with_output
from loadgate.stack.select import open_stack
from loadgate.status import ExitStatus

log = logging.getLogger("loadgate")


# Judging and the reports are imported while the load runs (~0.07 s of imports kept off the time
# before Locust starts); the first use waits for an import under way.
LATE_STAGES = ("loadgate.judge.verdict", "loadgate.report", "loadgate.report.console")


def import_late_stages() -> None:
    for name in LATE_STAGES:
        importlib.import_module(name)


def judging():
    from loadgate.judge import verdict

    return verdict


def run(plan: Plan) -> Verdict:
    """Run the gate and return its verdict; the stack is gone when this returns or raises."""
    started = time.time()
    phases.reached("started")
    try:
        with teardown_guard() as resources:
            leftovers.remove_stale_folders()  # of runs killed with SIGKILL, which ran no teardown
            store = identify_store(plan)  # a --prometheus-url that can never be judged: exit 2 now
            workdir = Path(resources.enter_context(
                tempfile.TemporaryDirectory(prefix=leftovers.run_folder_prefix())))
            stack = open_stack(plan, resources, workdir)
            phases.reached("stack started")
            verdict = judge_load(plan, stack, store, started)
    except InfraError as exc:
        verdict = judging().unknown(plan.objectives, redact_text(str(exc)))
    except StoreRefused as exc:  # one line from cli.main, exit 2; nothing was judged
        from loadgate import report

        report.write_all(plan, judging().unknown(plan.objectives, redact_text(str(exc)),
                                               ExitStatus.USAGE_ERROR))
        raise
    except KeyboardInterrupt:
        finish(plan, judging().unknown(plan.objectives, "interrupted by SIGINT", ExitStatus.INTERRUPTED))
        raise
    except Terminated as exc:
        finish(plan, judging().unknown(plan.objectives, f"terminated by {exc.name}", exc.exit_code))
        raise
    phases.reached("torn down")
    verdict = finish(plan, verdict)
    phases.reached("reported")
    return verdict


def judge_load(plan: Plan, stack, store, started: float) -> Verdict:
    """The load on a started stack, measured and judged (the caller tears the stack down)."""
    threading.Thread(target=import_late_stages, daemon=True).start()
    # Loaded only now, while Locust starts: they need prometheus-api-client and requests,
    # ~0.1 s of imports that would otherwise delay the load on every run.
    from loadgate.measure import preflight
    from loadgate.measure.store_check import Held
    from loadgate.watch import abort, early_reads, progress

    stack.wait_for_prometheus()
    phases.reached("prometheus ready")
    preflight.check(stack.prometheus_url, plan.objectives, plan.slo_path,
                    plan.duration - plan.warmup, plan.run_id)
    guard = abort.Guard(plan.objectives, stack.prometheus_url, plan.run_id)
    held = Held(store, stack.prometheus_url, plan.run_id, bool(plan.remote_write),
                stack.remote_write_error)  # the store holds this run's histogram, or exit 2
    with progress.live(plan, stack.prometheus_url) as watch, \
            early_reads.reading(plan, stack.prometheus_url) as early:
        outcome = guard.run(stack, held.watching(watch))
    phases.reached("locust exited")
    measurements = measure(plan, stack, outcome.check(), guard, held, started,
                           early.readings() if early else None)
    held.confirm()  # before any objective is judged
    verdict = judging().judge(plan.objectives, measurements, plan.baseline, guard.aborted,
                              planned=(plan.warmup, plan.duration))
    verdict.notes += outcome.notes()
    phases.reached("judged")
    if verdict.error:  # the locustfile stopped the load (sys.exit): what Locust said too
        verdict.error = with_output(verdict.error, redact_text(outcome.output_tail))
    return verdict


def identify_store(plan: Plan):
    """The store at --prometheus-url (measure/store.py); None for loadgate's own Prometheus."""
    if not plan.prometheus_url:
        return None
    from loadgate.measure import store_check

    return store_check.before_load(plan.prometheus_url, plan.remote_write, plan.run_id)


def measure(plan: Plan, stack, outcome: LoadOutcome, guard, held, started: float,
            readings=None) -> Measurements:
    """Every figure of the run (``readings``: those read while the load ran); a load without
    final figures says what Locust said (or, with remote write, which store never showed them,
    or refused them)."""
    from loadgate.measure import window
    from loadgate.measure.reader import FinalFiguresMissing

    url = stack.prometheus_url
    try:
        return window.measure(url, plan.objectives, until=guard.until, run_id=plan.run_id, since=started,
                              final_timeout=plan.store_wait if plan.judged_from_store else None,
                              readings=readings)
    except FinalFiguresMissing as exc:
        if plan.judged_from_store:
            held.confirm()  # the store refused the remote write: exit 2 naming the setting
            raise InfraError(stack.store_missing(url, plan.store_wait)) from None
        raise InfraError(outcome.explain_missing_figures(str(exc))) from None


def finish(plan: Plan, verdict: Verdict) -> Verdict:
    """Write the reports and show the verdict; reports that cannot be written are exit 3 (after
    the verdict is shown), except on a signal, whose exit code stays."""
    from loadgate import report

    try:
        report.write_all(plan, verdict)
    except InfraError as exc:
        show(plan, verdict)
        if verdict.interrupted_by is None:
            raise
        log.error("%s", exc)
        return verdict
    show(plan, verdict)
    return verdict


def show(plan: Plan, verdict: Verdict) -> None:
    if not plan.quiet or verdict.status is not Status.PASS:
        from loadgate.report import console

        console.show(verdict, sys.stdout)


@contextmanager
def teardown_guard() -> Iterator[ExitStack]:
    """An ExitStack whose teardown a second Ctrl-C or a terminating signal cannot cut short (as
    tox does)."""
    resources = ExitStack()
    try:
        yield resources
    finally:
        ignore_signals()
        try:
            resources.close()
        finally:
            restore_signals()


_SAVED: dict[int, object] = {}


def ignore_signals() -> None:
    for sig in (signal.SIGINT, *TERMINATING):
        _SAVED.setdefault(sig, signal.getsignal(sig))
        signal.signal(sig, signal.SIG_IGN)


def restore_signals() -> None:
    for sig, handler in _SAVED.items():
        signal.signal(sig, handler)
    _SAVED.clear()
