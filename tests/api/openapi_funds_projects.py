"""The funds API paths of the projects topic, joined into test_http.test_openapi_lists_the_endpoints."""

PATHS: dict[str, set[str]] = {
    "/api/funds/projects": {"get", "post"},
    "/api/funds/projects/{project_id}": {"get"},
    "/api/funds/projects/{project_id}/steps": {"post"},
    "/api/funds/projects/{project_id}/start": {"post"},
    "/api/funds/projects/{project_id}/progress": {"post"},
    "/api/funds/projects/{project_id}/disbursements": {"post"},
    "/api/funds/projects/{project_id}/acceptance": {"post"},
    "/api/funds/projects/{project_id}/audit": {"post"},
    "/api/funds/projects/{project_id}/completion": {"post"},
    "/api/funds/project-bulletin": {"get"},
}
