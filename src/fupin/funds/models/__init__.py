"""The funds app's models, one module a topic: funds (sources, budgets, batches, transfers), projects (the library,
its procedure and steps, progress, disbursements, files, the measures they pay) and assets (ownership, upkeep,
income distribution)."""

from .assets import Asset, IncomePlan, IncomeShare, Maintenance
from .funds import Batch, BatchSource, Budget, FundSource, Transfer
from .projects import (
    Beneficiary,
    Disbursement,
    FundingPlan,
    MeasureFunding,
    ProcedureStep,
    Progress,
    Project,
    ProjectFile,
    ProjectStep,
    Target,
)

__all__ = [
    "Asset",
    "Batch",
    "BatchSource",
    "Beneficiary",
    "Budget",
    "Disbursement",
    "FundSource",
    "FundingPlan",
    "IncomePlan",
    "IncomeShare",
    "Maintenance",
    "MeasureFunding",
    "ProcedureStep",
    "Progress",
    "Project",
    "ProjectFile",
    "ProjectStep",
    "Target",
    "Transfer",
]
