"""The one user-facing error family, caught once in :func:`loadgate.cli.main`."""

from __future__ import annotations

import signal

from loadgate.status import ExitStatus


class LoadgateError(Exception):
    """An error the user can act on; printed as one line, exit code attached."""

    exit_status = ExitStatus.INFRA_ERROR


class ConfigError(LoadgateError):
    """Bad command line, slo.yaml, locustfile or environment: nothing was started."""

    exit_status = ExitStatus.USAGE_ERROR

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        where = ":".join(str(p) for p in (path, line) if p is not None)
        parts = [p for p in (where, key) if p]
        super().__init__(": ".join(parts + [message]))


class InfraError(LoadgateError):
    """The stack or the load generator failed: the verdict is unknown."""

    exit_status = ExitStatus.INFRA_ERROR


# Every signal whose default action ends the process and that a CI runner or a person sends to
# end a job (HUP when a runner's session ends, QUIT, USR1/USR2, ALRM, the resource limits' XCPU /
# XFSZ, ...): each is torn down like SIGTERM.  SIGINT stays KeyboardInterrupt; SIGPIPE is ignored by
# Python (a write raises instead); faults (SEGV, BUS, ...) and SIGKILL cannot be torn down.
TERMINATING = tuple(getattr(signal, name) for name in (
    "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGXCPU", "SIGXFSZ",
    "SIGVTALRM", "SIGPROF", "SIGPWR", "SIGIO") if hasattr(signal, name))


class Terminated(BaseException):
    """Raised in the main thread when a TERMINATING signal arrives (like KeyboardInterrupt for
    SIGINT); the run exits 128 + the signal's number, as a shell reports a process it ended."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(signum)
        self.signum = int(signum)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class StoreRefused(ConfigError):
    """The store the gate reads cannot hold what it judges (found before or during the load):
    exit 2 with the reports written, nothing judged (measure/store.py, store_check.py)."""
