"""What was decided: each objective's result, comparisons with a baseline, the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field

from loadgate.model.figures import FailureReason, Measurements
from loadgate.model.objectives import Objective
from loadgate.status import Status, exit_status


@dataclass(frozen=True)
class Comparison:
    """One objective against the baseline run; values in the SLI's unit (ms, fraction, /s)."""

    baseline: float | None
    now: float | None
    change: float | None  # relative: 0.12 is 12 % above the baseline
    limit: str  # "+10%" or "x0.9"
    status: Status
    message: str
    decision: str = ""  # fail | pass | inconclusive (judge/significance.py)
    low: float | None = None  # confidence interval of the change, relative like `change`
    high: float | None = None
    confidence: float | None = None  # the interval's two-sided level (None: single numbers)
    basis: str = ""  # how it was judged: intervals and runs compared, or single numbers
    settle: str = ""  # inconclusive: what would settle it
    runs: int = 1  # baseline runs compared with


@dataclass(frozen=True)
class Abort:
    """Which objective cut the run short, and when."""

    objective: str
    at: float  # unix seconds
    elapsed: float  # seconds since the start of the load
    message: str


@dataclass(frozen=True)
class Result:
    objective: Objective
    status: Status
    measured: float | None
    message: str
    comparison: Comparison | None = None
    reasons: tuple[FailureReason, ...] = ()  # error-rate objectives: why their requests failed
    # an objective with max_regression / min_ratio: its own thresholds' status and message,
    # before the baseline comparison joined them (None: not compared)
    limit_status: Status | None = None
    limit_message: str = ""
    warning: str = ""  # past the objective's `warn` level: the judge's words (also when it failed)


@dataclass(frozen=True)
class History:
    """Each objective's measured value in the baseline runs, oldest first, and in this run, last
    (judge/history.py); values in the SLI's unit, None where a run did not measure it."""

    runs: int  # runs the history holds, this one included
    values: dict[str, tuple[float | None, ...]]  # objective name -> one value per run
    left_out: int = 0  # objectives without a history (members of an `each:`, or beyond the cap)


@dataclass
class Verdict:
    status: Status  # PASS, FAIL or ERROR
    results: list[Result]
    measurements: Measurements | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    aborted: Abort | None = None
    interrupted_by: int | None = None  # 130 / 143: the exit code a signal gave the run
    history: History | None = None  # with --baseline: each objective across the earlier runs

    @property
    def exit_code(self) -> int:
        return self.interrupted_by if self.interrupted_by is not None else exit_status(self.status)
