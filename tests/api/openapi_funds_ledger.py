"""The funds API paths of the ledger topic, joined into test_http.test_openapi_lists_the_endpoints."""

PATHS: dict[str, set[str]] = {
    "/api/funds/ledger": {"get"},
    "/api/funds/batches": {"get", "post"},
    "/api/funds/batches/{batch_id}": {"get"},
    "/api/funds/batches/{batch_id}/publish": {"post"},
}
