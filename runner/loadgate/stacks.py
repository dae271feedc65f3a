"""What every stack offers the pipeline, and the choice between them."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Protocol

from loadgate.errors import InfraError
from loadgate.plan import Plan

# Called about once a second while the load runs, with the seconds elapsed; may raise.
Watch = Callable[[float], None]


@dataclass(frozen=True)
class LoadOutcome:
    """How the load generator ended."""

    exit_code: int
    output_tail: str

    def check(self) -> LoadOutcome:
        """Killed by a signal or a crash code (loadgate runs Locust with --exit-code-on-error 0)."""
        if self.exit_code < 0 or self.exit_code >= 2:
            raise InfraError(f"Locust exited with code {self.exit_code} before the load finished:"
                             f"\n{self.output_tail}")
        return self


class Stack(Protocol):
    prometheus_url: str

    def run_load(self, watch: Optional[Watch] = None) -> LoadOutcome:
        """Run Locust for the plan's duration; return when it has exited (InfraError if it failed)."""


def open_stack(plan: Plan, resources: ExitStack, workdir: Path) -> Stack:
    """Start the monitoring side of the stack; every cleanup is registered on ``resources``."""
    if plan.stack == "docker":
        from loadgate.stack_docker import DockerStack

        return DockerStack.start(plan, resources, workdir)
    from loadgate.stack_local import LocalStack

    return LocalStack.start(plan, resources, workdir)
