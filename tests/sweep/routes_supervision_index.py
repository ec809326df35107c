"""The sweep's supervision home page, joined into routes.WEB."""

from tests.sweep.routes import Route

WEB_SUPERVISION: dict = {
    "supervision:index": [Route("/supervision/", lists=True, refused=None, note="the ways into the topics only")],
}
API_SUPERVISION: dict = {}
ADMIN_SUPERVISION: dict = {}
