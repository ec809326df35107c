"""The funds API paths of the assets topic, joined into test_http.test_openapi_lists_the_endpoints."""

PATHS: dict[str, set[str]] = {
    "/api/funds/assets": {"get", "post"},
    "/api/funds/assets/{asset_id}": {"get"},
    "/api/funds/assets/{asset_id}/ownership": {"post"},
    "/api/funds/assets/{asset_id}/maintenance": {"post"},
    "/api/funds/assets/{asset_id}/state": {"post"},
    "/api/funds/assets/{asset_id}/disposal": {"post"},
    "/api/funds/assets/{asset_id}/income-plans": {"post"},
    "/api/funds/income-plans/{plan_id}/distribution": {"post"},
    "/api/funds/asset-ledger": {"get"},
}
