"""The funds API paths of the standards topic, joined into test_http.test_openapi_lists_the_endpoints."""

PATHS: dict[str, set[str]] = {
    "/api/funds/standards": {"get"},
    "/api/funds/standards/compute": {"post"},
    "/api/funds/standards/projects/{project_id}": {"get"},
}
