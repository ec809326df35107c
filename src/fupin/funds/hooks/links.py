"""What the links topic plugs in: the panel on an assistance measure's page naming the fund and project that pay
it (registry.panels, page "assistance.measure"), so assistance shows it without importing funds."""

from fupin.registry import panels


def connect():
    from ..views.links_measures import measure_panel

    panels.register(
        "funds.measure_funding", "funds/links/_measure_funding.html", measure_panel, page="assistance.measure"
    )
