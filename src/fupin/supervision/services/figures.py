"""Figures of supervision for other apps' pages: the home page's lines (what waits for the user's action)."""


def home_lines(user, today) -> list[dict]:
    """The home page's supervision lines ({label, count, url, alert}); filled in by each topic."""
    return []
