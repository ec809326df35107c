"""API of assistance: checks (helper fills)."""

from ninja import Router

router = Router(tags=["帮扶"])
