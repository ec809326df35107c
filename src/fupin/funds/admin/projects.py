"""The admin of the projects topic (read-only where the services own the writes, county-scoped)."""
