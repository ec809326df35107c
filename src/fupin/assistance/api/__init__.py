"""The assistance API: one router per topic, joined here and added to the project's API (fupin.api)."""

from ninja import Router

from . import checks, measures, pairings, people, programmes, visits

router = Router()
for topic in (people, pairings, measures, programmes, visits, checks):
    router.add_router("/", topic.router)
