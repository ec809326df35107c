"""`fupin serve`: the production server — gunicorn with threaded workers in front of fupin.wsgi (why gunicorn, and
the figures: docs/decisions/0004-server.md). Django's development server stays available as `fupin runserver`.

Before it listens it runs the system checks (a refused setting stops it here, not at the first request) and
collects the static files: hashed names and gzip copies that WhiteNoise serves with far-future caching
(FUPIN_STATIC_MANIFEST, read by settings); doing it at every start means the manifest is never older than the code.

Each option's default comes from the environment (FUPIN_BIND or PORT, FUPIN_WORKERS, FUPIN_THREADS,
FUPIN_ACCESS_LOG, FUPIN_TIMEOUT: fupin.settings.ENVIRONMENT says what each does and its default).

SIGTERM stops gracefully: the listening socket closes and requests in flight finish (up to 30 s), then it exits 0.
"""

import argparse
import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

#: query parameters whose values go into the access log as they are; every other value (search text such as a
#: name or an ID number, a `next` URL that may carry one) is written as "***"
LOGGED_PARAMETERS = frozenset(
    {
        "page",
        "page_size",
        "area",
        "status",
        "household_type",
        "monitoring_category",
        "kind",
        "policy",
        "as_of",
        "year",
        "fmt",
        "format",
        "language",
    }
)
ACCESS_LOG_FORMAT = '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def masked_query(query: str) -> str:
    """The query string with every value outside LOGGED_PARAMETERS replaced, so the log holds no search text."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, v if k in LOGGED_PARAMETERS or not v else "***") for k, v in pairs], safe="*/:")


def masked_url(url: str) -> str:
    if "?" not in url:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=masked_query(parts.query)))


class AccessLogger(Logger):
    """gunicorn's logger with query values masked in the request line, the query and the referer."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        uri = masked_url(environ.get("RAW_URI", ""))
        atoms["r"] = f"{environ['REQUEST_METHOD']} {uri} {environ['SERVER_PROTOCOL']}"
        atoms["q"] = masked_query(environ.get("QUERY_STRING", ""))
        atoms["f"] = masked_url(environ.get("HTTP_REFERER", "-"))
        for key in [key for key in atoms if key.startswith("{") and key != "{x-forwarded-for}i"]:
            del atoms[key]  # headers (cookies, tokens) and environ never reach a format by mistake
        return atoms


def default_workers() -> int:
    """gunicorn's rule for CPU-bound applications, (2 × cores) + 1: a worker is ready while others wait."""
    return 2 * (os.cpu_count() or 1) + 1


def options(argv=None) -> dict:
    """gunicorn's settings from the command line and the environment. fupin.settings (the one reader of the
    environment) is imported here, not above: main() sets FUPIN_STATIC_MANIFEST first, which it reads."""
    from fupin.settings import env

    parser = argparse.ArgumentParser(prog="fupin serve", description="生产服务器（gunicorn）/ the production server")
    parser.add_argument(
        "--bind",
        default=env("FUPIN_BIND") or f"127.0.0.1:{env('PORT') or 8000}",
        help="host:port 或 unix:/路径（FUPIN_BIND，默认 127.0.0.1:8000）",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(env("FUPIN_WORKERS") or default_workers()),
        help="工作进程数（FUPIN_WORKERS，默认 2×CPU核数+1）",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=int(env("FUPIN_THREADS") or 2),
        help="每个进程的线程数（FUPIN_THREADS，默认 2）",
    )
    parser.add_argument(
        "--access-log",
        default=env("FUPIN_ACCESS_LOG") or "-",
        help="访问日志文件，- 为标准输出，off 为不记录（FUPIN_ACCESS_LOG）",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=int(env("FUPIN_TIMEOUT") or 300),
        help="单个请求的最长秒数（FUPIN_TIMEOUT，默认 300）",
    )
    parser.add_argument("--no-collectstatic", action="store_true", help="不在启动前收集静态文件")
    args = parser.parse_args(argv)
    return {
        "bind": [args.bind],
        "workers": max(1, args.workers),
        "threads": max(1, args.threads),
        "worker_class": "gthread",
        "accesslog": None if args.access_log == "off" else args.access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": AccessLogger,
        "errorlog": "-",
        "loglevel": "info",
        "timeout": args.timeout,
        "graceful_timeout": 30,
        "keepalive": 5,
        "preload_app": True,  # Django is set up once in the master; workers fork from it
        "control_socket_disable": True,  # gunicorn's control socket is one path per user: two servers would share it
        "proc_name": "fupin",
        "collectstatic": not args.no_collectstatic,
    }


class Server(BaseApplication):
    def __init__(self, settings: dict):
        self.settings = settings
        super().__init__()

    def load_config(self):
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self):
        from fupin.wsgi import application

        return application


def prepare(collectstatic: bool) -> None:
    """Django set up in this (the master) process: checks, static files; no database connection left open to be
    inherited by the forked workers."""
    import django
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError
    from django.db import connections

    django.setup()
    try:
        call_command("check")
    except SystemCheckError as refused:
        raise SystemExit(str(refused)) from None  # the checks' report alone, exit status 1: the server did not start
    if collectstatic:
        call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()


def main(argv=None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    os.environ["FUPIN_STATIC_MANIFEST"] = "1"
    settings = options(argv)
    prepare(settings.pop("collectstatic"))
    Server(settings).run()
