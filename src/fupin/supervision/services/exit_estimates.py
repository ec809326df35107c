"""What the county exit reads from the spot checks (registered with fupin.policy.estimates in hooks/checks.py): the
error rates of the items 错退 and 漏评 and the share satisfied of 群众认可, over the done checks of the county's plans
checked on or before the date, "not applicable" left out, each with its Wilson and exact intervals."""

from datetime import datetime, time

from django.db.models import Count, Q
from django.utils import timezone

from .. import codes
from ..models import CheckResult
from .estimates import estimate


def county_exit_estimates(county_code: str, as_of, using: str = "default") -> dict:
    end = timezone.make_aware(datetime.combine(as_of, time.max))
    rows = (
        CheckResult.objects.using(using)
        .filter(
            check_row__plan__county_id=county_code,
            check_row__status=codes.CheckStatus.DONE,
            check_row__checked_at__lte=end,
            item__in=[codes.CheckItem.WRONG_EXIT, codes.CheckItem.MISSED, codes.CheckItem.SATISFIED],
            outcome__in=[codes.Outcome.PASS, codes.Outcome.FAIL],
        )
        .values("item")
        .annotate(n=Count("id"), fails=Count("id", filter=Q(outcome=codes.Outcome.FAIL)))
    )
    counts = {row["item"]: (row["n"], row["fails"]) for row in rows}
    found = {}
    for item, key in ((codes.CheckItem.WRONG_EXIT, "wrong_exit"), (codes.CheckItem.MISSED, "missed")):
        if item in counts:
            n, fails = counts[item]
            found[key] = estimate(fails, n).as_dict()
    if codes.CheckItem.SATISFIED in counts:
        n, fails = counts[codes.CheckItem.SATISFIED]
        unsatisfied = estimate(fails, n)
        found["approval"] = {
            "n": n,
            "errors": fails,  # the not satisfied
            "rate": 1 - unsatisfied.rate,
            "wilson": (1 - unsatisfied.wilson[1], 1 - unsatisfied.wilson[0]),
            "exact": (1 - unsatisfied.exact[1], 1 - unsatisfied.exact[0]),
        }
    return found
