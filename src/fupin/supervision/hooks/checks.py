"""What the checks topic plugs into the layers below: the county exit's spot-check estimates (fupin.policy.estimates:
错退率、漏评率、群众认可度 from the checks' results)."""


def connect():
    from fupin.policy import estimates

    from ..services.exit_estimates import county_exit_estimates

    estimates.register(county_exit_estimates)
