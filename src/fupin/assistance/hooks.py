"""What assistance plugs into the layers below it, connected once in AppConfig.ready(): the policy engine's
`measures_in_place` count (policy.compute.register_measures). Helpers add their own hooks here (the household
page's panel, the exchange sheets, the registry's 纳入监测 event)."""

from django.db.models.signals import post_save

from fupin.policy import compute
from fupin.registry import panels
from fupin.registry.models import StatusEvent

from .codes import MeasureStatus

#: a household's measures in place on the assessment date: marked in place or ended, the date within its period.
#: Our own text over {hid} and %(as_of)s (policy.compute.register_measures), never input.
MEASURES_IN_PLACE_SQL = (
    "(SELECT COUNT(*) FROM assistance_measure am WHERE am.household_id = {hid} "
    f"AND am.status <> '{MeasureStatus.PLANNED}' AND am.started_on <= %(as_of)s "
    "AND (am.ended_on IS NULL OR am.ended_on >= %(as_of)s))"
)


def visits_panel(request, household) -> dict:
    """The household page's 走访 panel: its latest visits the user may see and, for who visits, 记录走访."""
    from .services.common import VISITORS
    from .services.visits import visits_of

    return {
        "visits": list(visits_of(request.user, household)[:5]),
        "may_visit": getattr(request.user, "role", None) in VISITORS,
    }


def connect():
    compute.register_measures(MEASURES_IN_PLACE_SQL)
    _people_sheets()
    connect_pairings()
    _measures()
    panels.register("assistance.visits", "assistance/_household_visits.html", visits_panel)


def _people_sheets():
    """The people workbook's sheets (book "assistance"): exchange reads and checks them, services.people_import
    writes them."""
    from fupin.exchange.sheets import register

    from .sheets import SHEETS

    register(*SHEETS)


def connect_pairings():
    """pairings: the responsible persons assigned when a household enters monitoring, and the household page's
    帮扶情况 panel."""
    from .services.responsibility import on_status_event
    from .views.pairings import household_panel

    post_save.connect(on_status_event, sender=StatusEvent, dispatch_uid="assistance.pairings.defaults")
    panels.register("assistance.pairings", "assistance/_panel_pairings.html", household_panel)


def _measures():
    """measures: the household page's panel (in place, planned, ended; an add link for the keepers), and the
    sheets of a bank's micro-loans, HR's posts and any office's measures (book "assistance")."""
    from fupin.exchange import sheets

    from .measure_sheets import MEASURE_SHEETS
    from .views.measures import household_panel as measures_panel

    panels.register("assistance.measures", "assistance/_panel_measures.html", measures_panel)
    sheets.register(*MEASURE_SHEETS.values())
