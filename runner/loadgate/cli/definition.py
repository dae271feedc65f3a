"""The command line: every sub-command and option (docs/cli.md)."""

from __future__ import annotations

import argparse

from loadgate import __version__

RUN_HELP = "run the load test and gate on the SLOs (exit 0 pass, 1 breach, 2 usage, 3 infrastructure)"


def split_locust_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """Everything after the first ``--`` goes to Locust unchanged."""
    if "--" in argv:
        index = argv.index("--")
        return argv[:index], argv[index + 1:]
    return argv, []


def add_files(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--locustfile", help="Locust scenario (default load_tests/loadtest.py)")
    parser.add_argument("--slo", help="SLO file (default slo.yaml)")


def add_load(parser: argparse.ArgumentParser) -> None:
    """What shapes the plan: `run` and `validate` take the same options."""
    parser.add_argument("-H", "--host", help="base URL of the system under test (default target.host)")
    parser.add_argument("-u", "--users", help="peak number of users (default load.users)")
    parser.add_argument("-r", "--spawn-rate", help="users started per second (default load.spawn_rate)")
    parser.add_argument("-t", "--duration", help="how long the load runs: 30s, 5m, 1h30m (with a "
                        "LoadTestShape too: the load stops then)")
    parser.add_argument("--warmup", help="start of the run left out of every SLO (default 0s)")
    parser.add_argument("--workers", help="Locust worker processes on this machine (default 1)")


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")


def add_run(sub) -> None:
    run = sub.add_parser("run", help=RUN_HELP, description=RUN_HELP,
                         epilog="Arguments after -- go to Locust unchanged, e.g. -- --tags checkout")
    add_plan(run)
    run.add_argument("--report-dir", help="where the reports go (default reports)")
    run.add_argument("--keep-stack", action="store_true", help="leave the stack up after the verdict")
    run.add_argument("-q", "--quiet", action="store_true", help="print only the verdict on failure")
    add_common(run)


def add_plan(parser: argparse.ArgumentParser) -> None:
    """Every option that shapes the plan: `run` and `validate` take the same ones, so that every
    hint a check gives (``-H``, ``--remote-workers N``, ...) works with both."""
    add_files(parser)
    add_load(parser)
    parser.add_argument("--stack", help="local (child processes, default) or docker (stack/ compose file)")
    parser.add_argument("--prometheus-url", help="use this Prometheus instead of starting one")
    parser.add_argument("--prometheus-bin", help="Prometheus binary for the local stack")
    parser.add_argument("--baseline", nargs="+", metavar="PATH",
                        help="results.json of earlier runs, or directories of them, for "
                        "max_regression / min_ratio")
    parser.add_argument("--run-id", help="this run's id, a label on every series it exports "
                        "(default $LOADGATE_RUN_ID, else generated)")
    add_remote(parser)


def add_remote(run) -> None:
    group = run.add_argument_group("beyond one machine")
    group.add_argument("--remote-workers", metavar="N", help="wait for N Locust workers on other "
                       "hosts (`loadgate worker`) besides the local --workers (default 0)")
    group.add_argument("--master-bind", metavar="ADDR[:PORT]", help="where the Locust master "
                       "listens for them (default 127.0.0.1:5557; the channel is unauthenticated)")
    group.add_argument("--remote-workers-wait", metavar="DURATION", help="how long to wait for "
                       "them before the load starts (default 60s)")
    group.add_argument("--remote-write", metavar="URL", help="remote-write every series of the run "
                       "(labelled with its run id) to URL: alone, a copy while the local Prometheus "
                       "judges; with --prometheus-url, the local Prometheus is an agent and the gate "
                       "judges from that store")


def add_worker(sub) -> None:
    worker = sub.add_parser("worker", help="run a Locust worker (with loadgate's exporter) for a "
                            "master on another host", description="A Locust worker for `loadgate run "
                            "--remote-workers N`; it ends when the master ends (exit 3 when it "
                            "cannot reach the master in time).",
                            epilog="Arguments after -- go to Locust unchanged")
    worker.add_argument("--master-host", required=True, help="address of the host running "
                        "`loadgate run --remote-workers N --master-bind ADDR`")
    worker.add_argument("--master-port", default=None, help="the master's port (default 5557)")
    worker.add_argument("-f", "--locustfile", help="Locust scenario, the master's own "
                        "(default load_tests/loadtest.py)")
    worker.add_argument("--connect-timeout", metavar="DURATION", help="how long to try to reach "
                        "the master (default 60s)")
    add_common(worker)


COMPARE_HELP = "compare earlier runs' results.json with one run: what changed, with the noise measured"


def add_compare(sub) -> None:
    compare = sub.add_parser("compare", help=COMPARE_HELP, description=COMPARE_HELP + " (exit 0; 1 with "
                             "--fail-on worse when a figure is worse with confidence; 2 on unreadable input)")
    compare.add_argument("runs", nargs="+", metavar="RUN", help="BASELINE... CURRENT: results.json "
                         "files or directories of them; the last one is the run compared (a file, or a "
                         "directory holding one)")
    compare.add_argument("--confidence", default="95%", help="confidence of each decision (default 95%%)")
    compare.add_argument("--threshold", default="5%", help="a change within +-threshold is the same "
                         "(default 5%%)")
    compare.add_argument("--format", default="console", choices=("console", "markdown", "json"),
                         help="output format (default console)")
    compare.add_argument("--fail-on", choices=("worse",), help="exit 1 when a figure is worse with confidence")
    add_common(compare)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loadgate", description="A load test as a CI gate.")
    parser.add_argument("--version", action="version", version=f"loadgate {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_run(sub)
    add_worker(sub)
    add_compare(sub)
    validate = sub.add_parser("validate", help="check the files (Locust imports the locustfile in a "
                              "subprocess) and print the plan; start no load")
    add_plan(validate)
    add_common(validate)
    up = sub.add_parser("up", help="start the docker stack with Grafana for people to look at")
    add_files(up)
    add_common(up)
    down = sub.add_parser("down", help="stop the docker stack started by `loadgate up`")
    down.add_argument("--project", help="compose project to remove (default $LOADGATE_PROJECT or loadgate)")
    add_common(down)
    return parser
