"""The admin of the assets topic (read-only where the services own the writes, county-scoped)."""
