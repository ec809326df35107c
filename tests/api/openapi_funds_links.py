"""The funds API paths of the links topic, joined into test_http.test_openapi_lists_the_endpoints."""

PATHS: dict[str, set[str]] = {
    "/api/funds/figures": {"get"},
    "/api/funds/measures/{measure_id}/funding": {"get", "put", "delete"},
}
