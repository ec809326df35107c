"""The sweep's funds routes (assets), joined into routes.WEB, routes.API and routes.ADMIN_MODELS. The world's records
are in tests/sweep/world_funds_assets.py."""

WEB_FUNDS: dict = {}
API_FUNDS: dict = {}
ADMIN_FUNDS: dict = {}
