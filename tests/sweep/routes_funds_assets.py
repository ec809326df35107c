"""The sweep's funds routes (assets), joined into routes.WEB, routes.API and routes.ADMIN_MODELS. The world's records
are in tests/sweep/world_funds_assets.py. Assets are kept by the county and the townships (writer 东乡镇), read by
everyone of the area; a disposal is the county's."""

from tests.factories import TOWNSHIP_A, VILLAGE_A1
from tests.sweep.routes import AdminModel, Route

ASSET_CREATE = (("create", "funds.asset"),)
ASSET_UPDATE = (("update", "funds.asset"),)
EXPORT = (("export", "funds.asset"),)
PLAN_CREATE = (("create", "funds.incomeplan"),)
DISTRIBUTION = (("update", "registry.incomeaccount"), ("update", "funds.incomeplan"))


def _pk(world, name):
    return world.pk(name) if world is not None else 0


def _form(path, body, audit, **extra):
    return Route(path, "POST", body=body, form=True, ok=302, audit=audit, writer="township_a", **extra)


def _asset_form(w, v):
    return {"name": "补录的蓄水池", "category": "public", "value": "1.5", "area_code": v, "formed_on": "2015-06-01"}


def _project_form(w, v):
    return {"project": _pk(w, "asset_project"), "name": "新建冷库", "category": "operating", "value": "2"}


def _plan_form(w, v):
    return {"year": "2023", "income": "600", "collective_share": "600", "rule": "equal", "households": "",
            "decided_on": "2023-12-21"}  # fmt: skip


READ = {"writer": "township_a"}
WEB_FUNDS: dict[str, list[Route]] = {
    "funds:assets": [
        Route("/funds/assets/", lists=True, shows=True, **READ),
        Route(f"/funds/assets/?category=operating&area={VILLAGE_A1}", lists=True, shows=True, **READ),
    ],
    "funds:asset-add": [Route("/funds/assets/add/", **READ), _form("/funds/assets/add/", _asset_form, ASSET_CREATE)],
    "funds:asset-from-project": [
        Route("/funds/assets/from-project/", **READ),
        _form(
            "/funds/assets/from-project/",
            _project_form,
            ASSET_CREATE,
            like_missing=False,
            note="the project is the caller's to pick: another area's form offers none (400 either way)",
        ),
    ],  # fmt: skip
    "funds:asset-import": [Route("/funds/assets/import/", **READ)],
    "funds:asset-ledger": [
        Route("/funds/assets/ledger/", lists=True, **READ),
        Route("/funds/assets/ledger/?as_of=2020-01-01", lists=True, **READ),
    ],
    "funds:asset-ledger-export": [
        Route("/funds/assets/ledger/export/", lists=True, audit=EXPORT, audit_area=TOWNSHIP_A, refused=None, **READ)
    ],
    "funds:asset-detail-ledger": [
        Route("/funds/assets/ledger/detail/", lists=True, shows=True, **READ),
        Route(f"/funds/assets/ledger/detail/?area={VILLAGE_A1}", lists=True, shows=True, **READ),
    ],
    "funds:asset-detail-ledger-export": [
        Route(
            f"/funds/assets/ledger/detail/export/?area={VILLAGE_A1}",
            lists=True,
            shows=True,
            audit=EXPORT,
            refused=None,
            **READ,
        ),
    ],  # fmt: skip
    "funds:asset": [
        Route("/funds/assets/{pk}/", target="asset", **READ),
        Route("/funds/assets/{pk}/", target="asset_household", **READ),
    ],
    "funds:asset-ownership": [
        Route("/funds/assets/{pk}/ownership/", target="asset", **READ),
        _form(
            "/funds/assets/{pk}/ownership/",
            lambda w, v: {
                "owner_level": "village",
                "owner_area_code": VILLAGE_A1,
                "on": "2021-01-02",
                "income": "东一村村集体",
            },
            ASSET_UPDATE,
            target="asset",
        ),
    ],  # fmt: skip
    "funds:asset-upkeep": [
        Route("/funds/assets/{pk}/upkeep/", target="asset", **READ),
        _form(
            "/funds/assets/{pk}/upkeep/",
            lambda w, v: {"on": "2022-04-01", "work": "除草"},
            (("create", "funds.maintenance"),),
            target="asset",
        ),
    ],  # fmt: skip
    "funds:asset-state": [
        Route("/funds/assets/{pk}/state/", target="asset", **READ),
        _form("/funds/assets/{pk}/state/", lambda w, v: {"state": "idle"}, ASSET_UPDATE, target="asset"),
    ],
    "funds:asset-dispose": [
        Route("/funds/assets/{pk}/dispose/", target="asset", writer="county"),
        Route(
            "/funds/assets/{pk}/dispose/",
            "POST",
            target="asset",
            form=True,
            ok=302,
            audit=ASSET_UPDATE,
            writer="county",
            refused="township_a",
            body=lambda w, v: {"on": "2022-05-01", "reason": "disaster", "approval": "示政〔2022〕5号"},
        ),
    ],  # fmt: skip
    "funds:asset-income": [
        Route("/funds/assets/{pk}/income/", target="asset", **READ),
        _form("/funds/assets/{pk}/income/", _plan_form, PLAN_CREATE, target="asset"),
    ],
    "funds:asset-distribute": [
        _form(
            "/funds/assets/income/{pk}/distribute/",
            lambda w, v: {"on": "2024-01-05"},
            DISTRIBUTION,
            target="asset_plan",
        ),
    ],  # fmt: skip
}

API_FUNDS: dict[tuple[str, str], list[Route]] = {
    ("GET", "/api/funds/assets"): [Route(lists=True, shows=True, **READ), Route(f"?area={VILLAGE_A1}", lists=True)],
    ("POST", "/api/funds/assets"): [
        Route(
            body=lambda w, v: {
                "name": "补录的蓄水池",
                "category": "public",
                "value": "1.5",
                "area_code": v,
                "formed_on": "2015-06-01",
            },
            ok=201,
            audit=ASSET_CREATE,
            writer="township_a",
        ),
    ],  # fmt: skip
    ("GET", "/api/funds/assets/{asset_id}"): [Route(target="asset", **READ), Route(target="asset_household", **READ)],
    ("POST", "/api/funds/assets/{asset_id}/ownership"): [
        Route(
            target="asset",
            body=lambda w, v: {"owner_level": "village", "owner_area_code": VILLAGE_A1, "on": "2021-01-02"},
            ok=200,
            audit=ASSET_UPDATE,
            writer="township_a",
        ),
    ],  # fmt: skip
    ("POST", "/api/funds/assets/{asset_id}/maintenance"): [
        Route(
            target="asset",
            body=lambda w, v: {"on": "2022-04-01", "work": "除草", "cost": "50"},
            ok=201,
            audit=(("create", "funds.maintenance"),),
            writer="township_a",
        ),
    ],  # fmt: skip
    ("POST", "/api/funds/assets/{asset_id}/state"): [
        Route(target="asset", body=lambda w, v: {"state": "damaged"}, ok=200, audit=ASSET_UPDATE, writer="township_a")
    ],
    ("POST", "/api/funds/assets/{asset_id}/disposal"): [
        Route(
            target="asset",
            body=lambda w, v: {"on": "2022-05-01", "reason": "planning", "approval": "示政〔2022〕5号"},
            ok=200,
            audit=ASSET_UPDATE,
            writer="county",
            refused="township_a",
        ),
    ],  # fmt: skip
    ("POST", "/api/funds/assets/{asset_id}/income-plans"): [
        Route(
            target="asset",
            body=lambda w, v: {
                "year": 2023,
                "income": "600",
                "collective_share": "600",
                "rule": "equal",
                "decided_on": "2023-12-21",
            },
            ok=201,
            audit=PLAN_CREATE,
            writer="township_a",
        ),
    ],  # fmt: skip
    ("POST", "/api/funds/income-plans/{plan_id}/distribution"): [
        Route(
            target="asset_plan", body=lambda w, v: {"on": "2024-01-05"}, ok=200, audit=DISTRIBUTION, writer="township_a"
        ),
    ],  # fmt: skip
    ("GET", "/api/funds/asset-ledger"): [Route(lists=True, **READ), Route("?as_of=2020-01-01", lists=True, **READ)],
}

ADMIN_FUNDS: dict[str, AdminModel] = {
    "funds.asset": AdminModel("asset", reason="read-only"),  # services.assets: accepted projects, owners, approval
    "funds.maintenance": AdminModel("asset_upkeep", reason="read-only"),
    "funds.incomeplan": AdminModel("asset_plan", reason="read-only"),  # shares add up; the registry through its service
    "funds.incomeshare": AdminModel("asset_share", reason="read-only"),
}
