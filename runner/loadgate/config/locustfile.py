"""The locustfile and the arguments for Locust, checked before anything starts.

``check_locustfile`` reads the file (a regular file, capped: input_files.py) and compiles it in
loadgate's process; ``check_imports`` asks Locust itself, in a subprocess, to import it
(``locust -f FILE --list``): loadgate never imports locust (gevent monkey-patches the process),
and an import that fails is the locustfile's error (exit 2), said before any load runs.
``check_locust_args`` refuses, after ``--``, the options loadgate sets itself: a second ``-f``
would displace the exporter (Locust keeps the last one), and the load would run unmeasured.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from loadgate import input_files
from loadgate.errors import ConfigError
from loadgate.redaction import redact

MAX_LOCUSTFILE = 16 * 1024 * 1024
IMPORT_TIMEOUT = 60.0  # a locustfile that imports for longer than this is refused by validate
# Locust options loadgate sets itself, and the loadgate option to use instead
OWN_OPTIONS = {"-f": "-f", "--locustfile": "-f", "-u": "-u", "--users": "-u", "-r": "-r",
               "--spawn-rate": "-r", "-t": "-t", "--run-time": "-t", "-H": "-H", "--host": "-H",
               "--headless": None, "--master": "--workers", "--worker": "--workers",
               "--expect-workers": "--remote-workers", "--master-bind-host": "--master-bind",
               "--master-bind-port": "--master-bind", "--processes": "--workers"}


def check_locustfile(path: Path) -> Path:
    """The file is a regular file of at most MAX_LOCUSTFILE and compiles."""
    text = input_files.read_text(path, "locustfile", MAX_LOCUSTFILE, missing="pass -f PATH")
    try:
        ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        raise ConfigError(f"syntax error in the locustfile: {exc.msg}", path=str(path),
                          line=exc.lineno) from None
    except (ValueError, RecursionError) as exc:  # a NUL byte, or nested beyond the parser
        raise ConfigError(f"the locustfile does not parse: {exc or 'nested too deeply'}",
                          path=str(path)) from None
    return path


def check_locust_args(args: Iterable[str]) -> tuple[str, ...]:
    """The arguments after ``--``, unless one is an option loadgate sets itself."""
    args = tuple(args)
    for arg in args:
        option = arg.split("=", 1)[0]
        if option in OWN_OPTIONS or (option[:2] in ("-f", "-u", "-r", "-t", "-H") and
                                     not option.startswith("--") and len(option) > 2):
            instead = OWN_OPTIONS.get(option, option[:2])
            raise ConfigError(f"{option} after -- is loadgate's to set" + (
                f"; use loadgate's own {instead}" if instead else ""), key="--")
    return args


def check_imports(path: Path, timeout: float = IMPORT_TIMEOUT) -> None:
    """Locust imports the locustfile in a subprocess; ConfigError with its last line if it fails."""
    argv = [sys.executable, "-m", "locust", "-f", str(path), "--list"]
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              errors="replace", timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ConfigError(f"Locust did not finish importing the locustfile within {timeout:g} s",
                          path=str(path)) from None
    if done.returncode != 0:
        lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        raise ConfigError(f"Locust cannot import the locustfile: "
                          f"{redact(lines[-1].strip()) if lines else f'exit code {done.returncode}'}",
                          path=str(path), line=_line_in(lines, path))


def _line_in(lines: list[str], path: Path) -> int | None:
    """The line of the locustfile in the traceback's last frame inside it."""
    mark = f'File "{path.resolve()}", line '
    found = [line.split(mark, 1)[1].split(",")[0] for line in lines if mark in line]
    return int(found[-1]) if found and found[-1].isdigit() else None
