"""The sweep's programme routes (assistance: relocation, training, enterprises, social aid), joined into
routes.WEB and routes.API. The world's records are in tests/sweep/world_programmes.py."""

from tests.sweep.routes import Route
from tests.sweep.world_programmes import SPARE_A1

DAY = "2024-05-01"
SITE_AUDIT = (("create", "assistance.relocationsite"),)
RELOCATION_AUDIT = (("create", "assistance.relocation"), ("update", "registry.household"))
TRAINING_AUDIT = (("create", "assistance.training"),)
ATTENDANCE_AUDIT = (("create", "assistance.attendance"),)
PAIRING_AUDIT = (("create", "assistance.enterprisepairing"),)
AID_AUDIT = (("create", "assistance.socialaid"),)


def _pk(world, name):
    return world.pk(name) if world is not None else 0  # None: the API probes' bodies


def _relocation_form(w, v):
    return {"village": v, "household": SPARE_A1, "site": _pk(w, "site"), "persons": "1", "moved_in_on": DAY}


def _form(path, body, audit, **extra):
    return Route(path, "POST", body=body, form=True, ok=302, audit=audit, **extra)


WEB_PROGRAMMES: dict[str, list[Route]] = {
    "assistance:relocations": [
        Route("/assistance/relocation/", lists=True, shows=True),
        Route("/assistance/relocation/?state=moved", lists=True, shows=True),
    ],
    "assistance:relocation-add": [
        Route("/assistance/relocation/add/"),
        _form("/assistance/relocation/add/", _relocation_form, RELOCATION_AUDIT),
    ],
    "assistance:relocation-figures": [
        Route("/assistance/relocation/figures/", lists=True),
        Route("/assistance/relocation/figures/?as_of=2019-07-01", lists=True),
    ],
    "assistance:relocation-sites": [Route("/assistance/relocation/sites/", lists=True, shows=True)],
    "assistance:relocation-site-add": [
        Route("/assistance/relocation/sites/add/"),
        _form(
            "/assistance/relocation/sites/add/",
            lambda w, v: {"area": v, "name": "新安置点", "kind": "central", "planned_households": "3"},
            SITE_AUDIT,
        ),
    ],
    "assistance:relocation-site": [Route("/assistance/relocation/sites/{pk}/", target="site")],
    "assistance:trainings": [Route("/assistance/trainings/", lists=True, shows=True)],
    "assistance:training-add": [
        Route("/assistance/trainings/add/"),
        _form(
            "/assistance/trainings/add/",
            lambda w, v: {"area": v, "course": "新培训", "started_on": DAY},
            TRAINING_AUDIT,
        ),
    ],
    "assistance:training": [
        Route(
            "/assistance/trainings/{pk}/",
            target="training",
            note="the picker (?household=) is in "
            "tests/assistance/test_programme_views.py: a 404 page repeats the path, a household number in it",
        ),
    ],
    "assistance:attendance-add": [
        _form(
            "/assistance/trainings/{pk}/attendees/",
            lambda w, v: {"household": "DY-0001", "member": _pk(w, "child"), "employed": "on"},
            ATTENDANCE_AUDIT,
            target="training",
        )
    ],
    "assistance:attendance-edit": [
        _form(
            "/assistance/trainings/attendees/{pk}/",
            lambda w, v: {"certified": "on", "employed": "on"},
            (("update", "assistance.attendance"),),
            target="attendance",
        )
    ],
    "assistance:enterprise-pairings": [Route("/assistance/enterprises/", lists=True, shows=True)],
    "assistance:enterprise-pairing-add": [
        Route("/assistance/enterprises/add/"),
        _form(
            "/assistance/enterprises/add/",
            lambda w, v: {"village": v, "unit": _pk(w, "firm"), "started_on": DAY, "projects": "1", "amount": "10"},
            PAIRING_AUDIT,
        ),
    ],
    "assistance:social-aid": [Route("/assistance/social-aid/", lists=True, shows=True)],
    "assistance:social-aid-add": [
        Route("/assistance/social-aid/add/"),
        _form(
            "/assistance/social-aid/add/",
            lambda w, v: {
                "village": v,
                "household": "DY-0001",
                "donor": "爱心人士",
                "given_on": DAY,
                "content": "棉被",
                "amount": "10",
            },  # fmt: skip
            AID_AUDIT,
        ),
    ],
}

API_PROGRAMMES: dict[tuple[str, str], list[Route]] = {
    ("GET", "/api/assistance/relocation/sites"): [Route(lists=True, shows=True)],
    ("POST", "/api/assistance/relocation/sites"): [
        Route(body=lambda w, v: {"area": v, "name": "新安置点", "planned_households": 3}, ok=201, audit=SITE_AUDIT)
    ],
    ("GET", "/api/assistance/relocations"): [Route(lists=True, shows=True)],
    ("POST", "/api/assistance/relocations"): [
        Route(
            body=lambda w, v: {"household_id": _pk(w, "spare_household"), "site_id": _pk(w, "site"), "persons": 1},
            ok=201,
            audit=RELOCATION_AUDIT,
        )
    ],
    ("GET", "/api/assistance/trainings"): [Route(lists=True, shows=True)],
    ("POST", "/api/assistance/trainings"): [
        Route(body=lambda w, v: {"area": v, "course": "新培训", "started_on": DAY}, ok=201, audit=TRAINING_AUDIT)
    ],
    ("POST", "/api/assistance/trainings/{training_id}/attendances"): [
        Route(target="training", body=lambda w, v: {"member_id": _pk(w, "child")}, ok=201, audit=ATTENDANCE_AUDIT)
    ],
    ("GET", "/api/assistance/enterprise-pairings"): [Route(lists=True)],
    ("POST", "/api/assistance/enterprise-pairings"): [
        Route(
            body=lambda w, v: {"village": v, "unit_id": _pk(w, "firm"), "started_on": DAY, "projects": 1},
            ok=201,
            audit=PAIRING_AUDIT,
        )
    ],
    ("GET", "/api/assistance/social-aid"): [Route(lists=True)],
    ("POST", "/api/assistance/social-aid"): [
        Route(
            body=lambda w, v: {"village": v, "donor": "爱心人士", "given_on": DAY, "content": "棉被", "amount": "10"},
            ok=201,
            audit=AID_AUDIT,
        )
    ],
    ("GET", "/api/assistance/programme-figures"): [Route(lists=True), Route("?as_of=2019-07-01", lists=True)],
}
