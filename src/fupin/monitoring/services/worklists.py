"""What waits for whom: the open cases at the steps a role takes, and the cases whose notice is still to be posted.
The inboxes and the home pages' counts read these (scoped like every list); the rules of who takes which step are
codes.PROCEDURES, as in procedure.act."""

from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q

from .. import codes
from ..models import Notice
from .notices import NOTICE_STEP
from .procedure import open_cases


def steps_of_role(role) -> list[tuple[str, str]]:
    """The (case kind, step) pairs a role takes."""
    return [
        (kind.value, rule.code.value)
        for kind, rules in codes.PROCEDURES.items()
        for rule in rules
        if role in rule.roles
    ]


def cases_at_my_steps(user):
    """Open cases in the user's area standing at a step the user's role takes, soonest step deadline first."""
    pairs = steps_of_role(getattr(user, "role", None))
    if not pairs:
        return open_cases(user).none()
    return open_cases(user).filter(reduce(or_, (Q(kind=kind, step=step) for kind, step in pairs)))


def cases_awaiting_notice(user, kind=codes.NoticeKind.VILLAGE):
    """Open cases at the step of a notice of `kind` with no such notice posted since they reached it (a case sent
    back and returned needs a new one)."""
    kind = codes.NoticeKind(kind)
    step = NOTICE_STEP[kind]
    posted = Notice.objects.filter(cases=OuterRef("pk"), kind=kind, posted_on__gte=OuterRef("step_since"))
    return open_cases(user).filter(step=step).filter(~Exists(posted))
