"""The choice between the stacks."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from loadgate.config.plan import Plan
from loadgate.stack.base import Stack


def open_stack(plan: Plan, resources: ExitStack, workdir: Path) -> Stack:
    """Start the monitoring side of the stack; every cleanup is registered on ``resources``."""
    if plan.stack == "docker":
        from loadgate.stack.docker import DockerStack  # the docker SDK only when asked for

        return DockerStack.start(plan, resources, workdir)
    from loadgate.stack.local import LocalStack

    return LocalStack.start(plan, resources, workdir)
