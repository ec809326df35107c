"""API of assistance: measures (helper fills)."""

from ninja import Router

router = Router(tags=["帮扶"])
