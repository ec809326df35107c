"""What assistance plugs into the layers below it, connected once in AppConfig.ready(): the policy engine's
`measures_in_place` count (policy.compute.register_measures). Helpers add their own hooks here (the household
page's panel, the exchange sheets, the registry's 纳入监测 event)."""

from fupin.exchange import sheets
from fupin.policy import compute
from fupin.registry import panels

from .codes import MeasureStatus

#: a household's measures in place on the assessment date: marked in place or ended, the date within its period.
#: Our own text over {hid} and %(as_of)s (policy.compute.register_measures), never input.
MEASURES_IN_PLACE_SQL = (
    "(SELECT COUNT(*) FROM assistance_measure am WHERE am.household_id = {hid} "
    f"AND am.status <> '{MeasureStatus.PLANNED}' AND am.started_on <= %(as_of)s "
    "AND (am.ended_on IS NULL OR am.ended_on >= %(as_of)s))"
)


def connect():
    compute.register_measures(MEASURES_IN_PLACE_SQL)
    # measures: the household page's panel (in place, planned, ended; an add link for the keepers)
    from .views.measures import household_panel as measures_panel

    panels.register("assistance.measures", "assistance/_panel_measures.html", measures_panel)
    # measures: the sheets of a bank's micro-loans, HR's posts and any office's measures (book "assistance")
    from .measure_sheets import MEASURE_SHEETS

    sheets.register(*MEASURE_SHEETS.values())
