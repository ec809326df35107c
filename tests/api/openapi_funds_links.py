"""The funds API paths of the links topic, joined into test_http.test_openapi_lists_the_endpoints."""

PATHS: dict[str, set[str]] = {
    "/api/funds/figures": {"get"},
}
