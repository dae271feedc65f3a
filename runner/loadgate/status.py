"""Statuses: of an objective and a verdict, the exit codes, and the mapping between them."""

from enum import Enum, IntEnum


class ExitStatus(IntEnum):
    SUCCESS = 0  # every SLO met (warnings allowed)
    SLO_BREACHED = 1  # at least one SLO breached, or had no data
    USAGE_ERROR = 2  # usage or configuration error; nothing was started
    INFRA_ERROR = 3  # the stack or the load generator failed; the verdict is unknown
    INTERRUPTED = 130  # SIGINT; the stack was torn down
    TERMINATED = 143  # SIGTERM; the stack was torn down


class Status(str, Enum):
    """Of one objective (pass, warn, fail, error) and of a verdict (pass, fail, error)."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"


def exit_status(verdict: Status) -> ExitStatus:
    """A passing verdict exits 0, a failing one 1, an unknown one (``error``) 3."""
    return {Status.PASS: ExitStatus.SUCCESS, Status.FAIL: ExitStatus.SLO_BREACHED}.get(
        verdict, ExitStatus.INFRA_ERROR)
