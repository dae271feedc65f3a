"""The one user-facing error family, caught once in :func:`loadgate.cli.main`."""

from __future__ import annotations

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


class Terminated(BaseException):
    """Raised in the main thread when SIGTERM arrives (like KeyboardInterrupt for SIGINT)."""
