"""API of assistance: people (helper fills)."""

from ninja import Router

router = Router(tags=["帮扶"])
