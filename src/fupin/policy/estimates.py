"""The county exit's spot-check estimates (错退率、漏评率、群众认可度), from whichever app records spot checks. Policy
is below the apps that check households, so it never imports them: an app registers a provider here (supervision does,
in its AppConfig.ready), and the county exit asks it.

A provider is `provider(county_code, as_of, using) -> dict`: for each of "wrong_exit", "missed" and "approval" (those
it can estimate) {"n", "errors", "rate", "wilson": [low, high], "exact": [low, high]} — for "approval", `rate` is the
share satisfied and the intervals are of that share."""

_providers: list = []

#: the three estimates, their words, and how each is judged against its line (below for the error rates, above for
#: approval), with the pack parameter of the line and its default (the national county-exit standard)
ESTIMATES = (
    ("wrong_exit", "错退率", "below", "wrong_exit_line", 0.02),
    ("missed", "漏评率", "below", "missed_line", 0.02),
    ("approval", "群众认可度", "above", "approval_line", 0.90),
)


def register(provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def county_estimates(county_code: str, as_of, using: str = "default") -> dict:
    """The first registered provider's estimates for the county as of the date ({} without a provider or data)."""
    for provider in _providers:
        found = provider(county_code, as_of, using)
        if found:
            return found
    return {}
