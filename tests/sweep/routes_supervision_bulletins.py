"""The sweep's supervision routes (bulletins), joined into routes.WEB, routes.API and routes.ADMIN_MODELS. The world's
records are in tests/sweep/world_supervision_bulletins.py."""

from tests.sweep.routes import Route  # noqa: F401 (each topic's routes use it)

WEB_SUPERVISION: dict = {}
API_SUPERVISION: dict = {}
ADMIN_SUPERVISION: dict = {}
