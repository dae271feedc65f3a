"""``loadgate`` entry point: one place where errors become one line and an exit code."""

from __future__ import annotations

import gc
import logging
import signal
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

from loadgate.cli import streams
from loadgate.cli.commands import COMMANDS
from loadgate.cli.definition import build_parser, split_locust_args
from loadgate.errors import TERMINATING, LoadgateError, Terminated
from loadgate.redaction import redact
from loadgate.status import ExitStatus


def _raise_terminated(signum, frame):
    raise Terminated(signum)


@contextmanager
def terminating_signals_raise() -> Iterator[None]:
    """Every TERMINATING signal raises Terminated in the main thread while a command runs, so that
    the command tears down as it does on SIGTERM (pipeline.teardown_guard)."""
    previous = {sig: signal.signal(sig, _raise_terminated) for sig in TERMINATING}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class RedactingFormatter(logging.Formatter):
    """Every log line goes through the one redaction, whatever a message happens to carry."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    if quiet:
        level = logging.ERROR
    handler = logging.StreamHandler(sys.stderr)
    # -vv stamps each line with the seconds since start, to see where a run's time goes
    stamp = "%(relativeCreated)8.0fms " if verbose > 1 else ""
    handler.setFormatter(RedactingFormatter(f"loadgate: {stamp}%(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)


def report_error(exc: LoadgateError, debug: bool) -> None:
    if debug:
        traceback.print_exception(exc)
    first, *context = redact(str(exc)).splitlines() or [type(exc).__name__]
    print(f"loadgate: error: {first}", file=sys.stderr)
    for line in context:
        print(f"  | {line}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    streams.guard()
    try:
        return _main(argv)
    finally:
        streams.settle()


def entry() -> NoReturn:
    """The ``loadgate`` command: main's exit code.  Every object left is frozen first, so the
    interpreter's last garbage collections skip them: exiting took ~55 ms after a run's reports
    were written, ~15 ms frozen (measured here, 2 cores; nothing is left to collect that holds a
    resource: the stack is torn down and every file closed before main returns)."""
    code = main()
    gc.freeze()
    sys.exit(code)


def _main(argv: Sequence[str] | None) -> int:
    own_args, locust_args = split_locust_args(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    try:
        args = parser.parse_args(own_args)
    except SystemExit as exc:  # argparse has printed the usage error or the help
        return int(exc.code or 0)
    args.locust_args = locust_args
    configure_logging(args.verbose, getattr(args, "quiet", False))
    try:
        with terminating_signals_raise():
            return int(COMMANDS[args.command](args))
    except LoadgateError as exc:
        report_error(exc, args.debug)
        return int(exc.exit_status)
    except KeyboardInterrupt:
        print("loadgate: interrupted; the stack was torn down", file=sys.stderr)
        return int(ExitStatus.INTERRUPTED)
    except Terminated as exc:
        print(f"loadgate: terminated by {exc.name}; the stack was torn down", file=sys.stderr)
        return exc.exit_code
