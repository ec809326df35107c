"""The admin of the ledger topic (read-only where the services own the writes, county-scoped)."""
