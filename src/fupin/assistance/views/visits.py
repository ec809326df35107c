"""Pages of assistance: visits (helper fills)."""

urls = []
