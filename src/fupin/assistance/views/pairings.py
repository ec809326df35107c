"""Pages of assistance: pairings (helper fills)."""

urls = []
