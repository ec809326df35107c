"""What the assets topic plugs in: the asset ledger's sheet (book "funds-assets"), read and checked by exchange,
written by services.asset_import; the household page's panel (its assets and dividends) and the project page's
(the assets it formed: page "funds.project", which topic B's project page shows with panels_of)."""


def connect():
    from fupin.exchange.sheets import register
    from fupin.registry import panels

    from ..sheets.assets import ASSET_SHEET
    from ..views.assets_panels import household_panel, project_panel

    register(ASSET_SHEET)
    panels.register("funds.assets", "funds/assets/_panel_household.html", household_panel)
    panels.register("funds.assets", "funds/assets/_panel_project.html", project_panel, page="funds.project")
