"""The web app's own pages: the home page of each role, with the counts of what waits for the user's action.

The counts are monitoring's (figures.inbox_counts, a few COUNTs whatever the county's size); each links to the
inbox box that lists the same work, so a count and its list agree."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from fupin.assistance.services.checks import home_lines as assistance_lines
from fupin.funds.services.figures import home_lines as funds_lines
from fupin.monitoring.codes import StepCode
from fupin.monitoring.services.figures import inbox_counts
from fupin.supervision.services.figures import home_lines as supervision_lines

#: the box of the monitoring inbox that lists a step's cases
STEP_BOX = {
    StepCode.VERIFY: "verify",
    StepCode.REVIEW: "verify",
    StepCode.NOTICE: "notice",
    StepCode.ANNOUNCE: "notice",
    StepCode.TOWNSHIP: "township",
    StepCode.CROSSCHECK: "crosscheck",
    StepCode.COUNTY: "approve",
    StepCode.ENTER: "approve",
}
#: the clue counts of inbox_counts, each with its words and box
CLUE_LINES = (
    ("clues_to_accept", _("待受理线索"), "clues"),
    ("clues_pending", _("已登记、待乡镇受理的线索"), "clues"),
    ("clues_overdue", _("逾期未受理的线索"), "clues"),
    ("notices_to_post", _("待张贴公示公告的事项"), "notice"),
    ("clues_decided", _("已受理或不予受理的部门线索"), "clues"),
)


def todo_lines(user, today) -> list[dict]:
    """The home page's lines: what, how many, where to work on it; nothing for a role with no monitoring work."""
    counts = inbox_counts(user, today=today)
    inbox = reverse("monitoring:inbox")
    lines = [
        {"label": StepCode(step).label, "count": count, "url": f"{inbox}?box={STEP_BOX[StepCode(step)]}"}
        for step, count in counts.get("cases", {}).items()
    ]
    lines += [
        {"label": label, "count": counts[key], "url": f"{inbox}?box={box}"}
        for key, label, box in CLUE_LINES
        if key in counts
    ]
    if counts.get("overdue") is not None and counts.get("role"):
        lines.append(
            {"label": _("逾期的监测事项"), "count": counts["overdue"], "url": f"{inbox}?box=overdue", "alert": True}
        )
    return lines + assistance_lines(user, today)


@login_required
@require_GET
def home(request):
    today = timezone.localdate()
    context = {
        "lines": todo_lines(request.user, today),
        "today": today,
        "funds_lines": funds_lines(request.user, today),
        "supervision_lines": supervision_lines(request.user, today),
    }
    return render(request, "web/home.html", context)
