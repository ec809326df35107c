"""Pages of assistance: people (helper fills)."""

urls = []
