"""Pages of assistance: checks (helper fills)."""

urls = []
