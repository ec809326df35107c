"""The supervision API of the bulletins topic."""

from ninja import Router

router = Router(tags=["supervision"])
