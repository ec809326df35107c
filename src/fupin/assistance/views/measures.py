"""Pages of assistance: measures (helper fills)."""

urls = []
