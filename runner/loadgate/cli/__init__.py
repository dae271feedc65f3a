"""``loadgate`` entry point: one place where errors become one line and an exit code."""

from __future__ import annotations

import logging
import signal
import sys
import traceback
from typing import Sequence

from loadgate.cli.commands import COMMANDS
from loadgate.cli.definition import build_parser, split_locust_args
from loadgate.errors import LoadgateError, Terminated
from loadgate.redaction import redact
from loadgate.status import ExitStatus


def _raise_terminated(signum, frame):
    raise Terminated()


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
    own_args, locust_args = split_locust_args(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    try:
        args = parser.parse_args(own_args)
    except SystemExit as exc:  # argparse has printed the usage error or the help
        return int(exc.code or 0)
    args.locust_args = locust_args
    configure_logging(args.verbose, getattr(args, "quiet", False))
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        return int(COMMANDS[args.command](args))
    except LoadgateError as exc:
        report_error(exc, args.debug)
        return int(exc.exit_status)
    except KeyboardInterrupt:
        print("loadgate: interrupted; the stack was torn down", file=sys.stderr)
        return int(ExitStatus.INTERRUPTED)
    except Terminated:
        print("loadgate: terminated; the stack was torn down", file=sys.stderr)
        return int(ExitStatus.TERMINATED)
    finally:
        signal.signal(signal.SIGTERM, previous)
