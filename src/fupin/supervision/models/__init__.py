"""The supervision app's models, one module a topic: problems (kinds, batches, the problem, its steps and files),
checks (teams, sampling plans, sampled households, item results) and bulletins (issued rankings and summaries)."""

from .bulletins import Bulletin
from .checks import Check, CheckResult, Plan, Team
from .problems import Batch, Problem, ProblemFile, ProblemKind, ProblemStepRecord

__all__ = [
    "Batch",
    "Bulletin",
    "Check",
    "CheckResult",
    "Plan",
    "Problem",
    "ProblemFile",
    "ProblemKind",
    "ProblemStepRecord",
    "Team",
]
