"""The sweep's funds routes (links), joined into routes.WEB, routes.API and routes.ADMIN_MODELS. The world's records
are in tests/sweep/world_funds_links.py."""

from tests.sweep.routes import Route

FUNDING_UPDATE = (("update", "funds.measurefunding"),)
FUNDING_DELETE = (("delete", "funds.measurefunding"),)


def _pk(world, name):
    return world.pk(name) if world is not None else 0  # None: the API probes' bodies


def _funding_form(world, village):
    return {
        "source_id": str(_pk(world, "links_source")),
        "project_id": str(_pk(world, "links_project")),
        "amount": "2500",
    }


def _funding_body(world, village):
    return {"source_id": _pk(world, "links_source"), "project_id": _pk(world, "links_project"), "amount": "2500.00"}


WEB_FUNDS: dict = {
    "funds:index": [
        Route("/funds/", lists=True, refused=None, note="figures only: counts and sums of the user's area"),
        Route("/funds/?as_of=2024-06-30", lists=True, refused=None),
    ],
    "funds:measure-funding": [
        Route("/funds/measures/{pk}/funding/", target="funded_measure", note="its project list names 东一村's"),
        Route(
            "/funds/measures/{pk}/funding/",
            "POST",
            target="funded_measure",
            body=_funding_form,
            form=True,
            ok=302,
            audit=FUNDING_UPDATE,
        ),
    ],
    "funds:measure-funding-delete": [
        Route(
            "/funds/measures/{pk}/funding/delete/",
            "POST",
            target="funded_measure",
            form=True,
            ok=302,
            audit=FUNDING_DELETE,
        )
    ],
}
API_FUNDS: dict = {
    ("GET", "/api/funds/figures"): [
        Route(lists=True, refused=None),
        Route("?as_of=2024-06-30", lists=True, refused=None),
    ],
    ("GET", "/api/funds/measures/{measure_id}/funding"): [Route(target="funded_measure")],
    ("PUT", "/api/funds/measures/{measure_id}/funding"): [
        Route(target="funded_measure", body=_funding_body, audit=FUNDING_UPDATE)
    ],
    ("DELETE", "/api/funds/measures/{measure_id}/funding"): [
        Route(target="funded_measure", ok=204, audit=FUNDING_DELETE)
    ],
}
ADMIN_FUNDS: dict = {}
