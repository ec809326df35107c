"""The REST API (django-ninja). OpenAPI at /api/docs."""

from ninja import NinjaAPI

api = NinjaAPI(title="fupin API", version="1", urls_namespace="api")
