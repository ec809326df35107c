"""The supervision API of the problems topic."""

from ninja import Router

router = Router(tags=["supervision"])
