"""Pages of assistance: programmes (helper fills)."""

urls = []
