"""The sweep's supervision records (bulletins), all in 东一村 (or the county where the record is the county's own), and
the markers of 东一村 they show. Joined into tests/sweep/world.py."""


def build(users, household) -> tuple[dict, list[str]]:
    """(the world's objects by name, 东一村's markers)."""
    return {}, []
