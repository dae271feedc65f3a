"""Exit codes: the one place they are defined (SPEC "Exit codes")."""

from enum import IntEnum


class ExitStatus(IntEnum):
    SUCCESS = 0  # every SLO met (warnings allowed)
    SLO_BREACHED = 1  # at least one SLO breached, or had no data
    USAGE_ERROR = 2  # usage or configuration error; nothing was started
    INFRA_ERROR = 3  # the stack or the load generator failed; the verdict is unknown
    INTERRUPTED = 130  # SIGINT; the stack was torn down
    TERMINATED = 143  # SIGTERM; the stack was torn down
