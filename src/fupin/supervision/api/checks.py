"""The supervision API of the checks topic."""

from ninja import Router

router = Router(tags=["supervision"])
