"""Plain data passed between the stages: objectives in, figures and verdicts out.

One module per kind: objectives.py (what is judged), figures.py (what was measured),
verdicts.py (what was decided).  Import from here.
"""

from loadgate.model.figures import (
                                    FailureReason,
                                    Intervals,
                                    Measurements,
                                    RequestFigures,
                                    Scrape,
                                    Stall,
                                    Timeline,
                                    UserError,
                                    Window,
)
from loadgate.model.objectives import Objective, RequestSelector
from loadgate.model.verdicts import Abort, Comparison, History, Result, Verdict
from loadgate.status import Status

__all__ = [
                                    "Abort",
                                    "Comparison",
                                    "FailureReason",
                                    "History",
                                    "Intervals",
                                    "Measurements",
                                    "Objective",
                                    "RequestFigures",
                                    "RequestSelector",
                                    "Result",
                                    "Scrape",
                                    "Stall",
                                    "Status",
                                    "Timeline",
                                    "UserError",
                                    "Verdict",
                                    "Window",
]
