"""API of assistance: programmes (helper fills)."""

from ninja import Router

router = Router(tags=["帮扶"])
