"""API of assistance: visits (helper fills)."""

from ninja import Router

router = Router(tags=["帮扶"])
