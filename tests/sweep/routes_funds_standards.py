"""The sweep's funds routes (standards), joined into routes.WEB, routes.API and routes.ADMIN_MODELS. The world's records
are in tests/sweep/world_funds_standards.py.

The standards and the computation are policy data, the same for every role (no area's record in them): they are
swept for scope (lists) and masking; the project's subsidy is 东一村's project, like any record of it."""

from tests.sweep.routes import Route

CALCULATION = "pack=anyue-2018&standard=road_hardening&compute=1&length_km=2&width_m=4.49&road_class=village"


def _compute(world, village):
    facts = {"length_km": "2", "width_m": "4.5", "road_class": "village", "cost_wan": "160"}
    return {"pack": "anyue-2018", "standard": "road_hardening", "facts": facts}


WEB_FUNDS: dict = {
    "funds:standards": [
        Route("/funds/standards/", lists=True),
        Route("/funds/standards/?pack=anyue-2018", lists=True),
        Route("/funds/standards/?year=2018", lists=True),
    ],
    "funds:standard-calculator": [
        Route("/funds/standards/calculator/", lists=True),
        Route(f"/funds/standards/calculator/?{CALCULATION}", lists=True),
    ],
    "funds:project-subsidy": [Route("/funds/standards/projects/{pk}/", target="standards_project")],
}
API_FUNDS: dict = {
    ("GET", "/api/funds/standards"): [Route(lists=True), Route("?pack=hequ-2019", lists=True)],
    ("POST", "/api/funds/standards/compute"): [
        Route(body=_compute, refused=None, outsider=False, note="policy data: nothing of an area, nothing written")
    ],
    ("GET", "/api/funds/standards/projects/{project_id}"): [Route(target="standards_project")],
}
ADMIN_FUNDS: dict = {}
