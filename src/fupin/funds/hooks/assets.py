"""What the assets topic plugs in: the asset ledger's sheet (book "funds-assets"), read and checked by exchange,
written by services.asset_import."""


def connect():
    from fupin.exchange.sheets import register

    from ..sheets.assets import ASSET_SHEET

    register(ASSET_SHEET)
