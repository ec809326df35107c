"""The assistance app's records, by topic: people and units, pairings and responsible persons, measures,
relocation/training/enterprises, visits."""

from .measures import Measure
from .pairings import Pairing, Responsibility, ResponsibleRole
from .people import Cadre, SetPost, TeamMember, TeamRole, Unit, WorkTeam
from .programmes import Attendance, EnterprisePairing, Relocation, RelocationSite, SocialAid, Training
from .visits import Visit, VisitPhoto

__all__ = [
    "Attendance",
    "Cadre",
    "EnterprisePairing",
    "Measure",
    "Pairing",
    "Relocation",
    "RelocationSite",
    "Responsibility",
    "ResponsibleRole",
    "SetPost",
    "SocialAid",
    "TeamMember",
    "TeamRole",
    "Training",
    "Unit",
    "Visit",
    "VisitPhoto",
    "WorkTeam",
]
