"""The funds API: one router per topic, joined here and added to the project's API (fupin.api)."""

from ninja import Router

router = Router()
