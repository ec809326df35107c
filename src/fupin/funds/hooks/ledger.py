"""What the ledger topic plugs in: its sheets (budgets, batches' totals and lines, book "funds-ledger"), which
exchange reads and checks and services.ledger_import writes."""


def connect():
    from fupin.exchange import sheets

    from ..sheets.ledger import SHEETS

    sheets.register(*SHEETS)
