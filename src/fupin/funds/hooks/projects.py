"""What the projects topic plugs in: the project library's sheet (book "funds-projects") with exchange."""


def connect():
    from fupin.exchange.sheets import register

    from ..sheets.projects import SHEETS

    register(*SHEETS)
