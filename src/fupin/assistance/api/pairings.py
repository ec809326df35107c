"""API of assistance: pairings (helper fills)."""

from ninja import Router

router = Router(tags=["帮扶"])
