"""Project settings, read from the environment so one build runs on SQLite (default) and PostgreSQL.

ENVIRONMENT below is every variable fupin reads, with its default and what it does; README.md's settings table
shows the same rows (tests/test_settings_documented.py). They are read here and nowhere else: through env(), which
refuses a name the table lacks (`fupin serve` takes its own through it too).
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured


class Variable(NamedTuple):
    default: str  # as README.md's settings table shows it
    about: str


ENVIRONMENT = {
    "DATABASE_URL": Variable(
        "sqlite:///$FUPIN_DATA_DIR/fupin.sqlite3",
        "the database: `sqlite:///path` or `postgres://user@host:port/name`; the tests use `test_<name>` beside it",
    ),
    "FUPIN_DATA_DIR": Variable(
        "the working directory",
        "the SQLite file, the imports' files (`exchange/`) and the collected static files (`staticfiles/`) live here",
    ),
    "FUPIN_SECRET_KEY": Variable(
        "a development key",
        "Django's secret key; with `FUPIN_DEBUG` off fupin refuses to start with the built-in or a short key",
    ),
    "FUPIN_SECRET_KEY_FILE": Variable(
        "unset",
        "a file holding the secret key, read when `FUPIN_SECRET_KEY` is unset (scripts/run makes one: `secret_key`)",
    ),
    "FUPIN_DEBUG": Variable("0", "`1`: Django's debug mode, for a developer's checkout only"),
    "FUPIN_ALLOWED_HOSTS": Variable(
        "127.0.0.1,localhost,testserver", "the host names the server answers to, comma separated"
    ),
    "FUPIN_HTTPS": Variable(
        "0", "`1` behind the county's HTTPS proxy: Secure cookies, the proxy's X-Forwarded-Proto and -For, HSTS"
    ),
    "FUPIN_HSTS_SECONDS": Variable("86400", "how long browsers keep to HTTPS, with `FUPIN_HTTPS=1` (no subdomains)"),
    "FUPIN_TRUSTED_PROXIES": Variable(
        "127.0.0.1,::1 with FUPIN_HTTPS=1",
        "the proxies whose X-Forwarded-For names the client (login lockout, audit), comma separated; empty: none",
    ),
    "FUPIN_LOGIN_FAILURES": Variable("5", "wrong passwords in a row before a username is locked from that address"),
    "FUPIN_LOGIN_COOLOFF_MINUTES": Variable(
        "30", "how long the lockout lasts; `fupin unlock USERNAME --by ADMIN` or the admin's 登录锁定 lift it, audited"
    ),
    "FUPIN_LOG_LEVEL": Variable("WARNING", "the level of the log written to standard error"),
    "FUPIN_STATIC_MANIFEST": Variable(
        "unset",
        "`1` (set by `fupin serve`, which collects first): static files by hashed, gzipped names, cached for good",
    ),
    "FUPIN_EXCHANGE_DIR": Variable(
        "$FUPIN_DATA_DIR/exchange",
        "imports' uploads, error reports and progress, and background exports' files, one folder a job",
    ),
    "FUPIN_IMPORT_MAX_MB": Variable("300", "the largest file an import takes, in MB"),
    "FUPIN_IMPORT_MAX_UNPACKED_MB": Variable("1024", "the largest an .xlsx may be once unpacked, in MB"),
    "FUPIN_IMPORT_MEMORY": Variable("2GB", "DuckDB's memory for staging an import; it spills to disk beyond"),
    "FUPIN_IMPORT_ABANDONED_AFTER": Variable(
        "600",
        "seconds without a heartbeat after which a running import is marked failed and its upload deleted (at once "
        "when its process is gone from the same host)",
    ),
    "FUPIN_PACKS_DIR": Variable(
        "unset",
        "a folder of the county's own policy packs (`*.yaml`), read beside the shipped ones and checked alike; a "
        "shipped pack's id is refused there",
    ),
    "FUPIN_EXPORT_IMMEDIATE_ROWS": Variable(
        "20000",
        "an export of at most this many rows (all its sheets) is sent at once; a larger one runs as a background job "
        "with a progress page",
    ),
    "FUPIN_EXPORT_KEEP_HOURS": Variable(
        "24", "hours a background export's file is kept for its user to download before it is deleted"
    ),
    "FUPIN_ASSESS_PARALLEL_MIN": Variable(
        "100000", "assessments of at least this many households are judged by two database connections at once"
    ),
    "FUPIN_ASSESS_DIR": Variable(
        "$FUPIN_DATA_DIR/assessments", "the progress files of assessments started from the web, one a job"
    ),
    "FUPIN_MONITORING_DIR": Variable(
        "$FUPIN_DATA_DIR/monitoring",
        "monitoring cases' evidence files (排查表, 承诺授权书 …) and department uploads' reports, served only scoped",
    ),
    "FUPIN_ASSISTANCE_DIR": Variable(
        "$FUPIN_DATA_DIR/assistance", "visit photos taken on cadres' phones (resized, EXIF kept), served only scoped"
    ),
    "FUPIN_FUNDS_DIR": Variable(
        "$FUPIN_DATA_DIR/funds", "projects' files (acceptance records, audit reports, notices), served only scoped"
    ),
    "FUPIN_SUPERVISION_DIR": Variable(
        "$FUPIN_DATA_DIR/supervision", "problems' rectification evidence (整改佐证材料), served only scoped"
    ),
    "FUPIN_HOUSEHOLD_NUMBER_PATTERN": Variable(
        "2–24 letters, digits or -, a letter or digit at each end",
        "the county's 户编号: a regular expression the whole number must match, read alike by Python and DuckDB",
    ),
    "FUPIN_HOUSEHOLD_NUMBER_HINT": Variable("the pattern", "how a clerk is told the 户编号 rule"),
    "FUPIN_EARLIEST_EVENT_DATE": Variable(
        "2013-01-01", "no registry event (identification, monitoring, status change) before it; none after today"
    ),
    "FUPIN_TASKS": Variable(
        "unset",
        "`immediate`: background jobs (imports from the web and API) run inside the request, not `fupin db_worker`",
    ),
    "FUPIN_BIND": Variable("127.0.0.1:$PORT", "`fupin serve --bind`: host:port or unix:/path"),
    "PORT": Variable("8000", "the port of the default `FUPIN_BIND`"),
    "FUPIN_WORKERS": Variable("2 × cores + 1", "`fupin serve --workers`: worker processes"),
    "FUPIN_THREADS": Variable(
        "2", "`fupin serve --threads`: threads a worker; a request waiting on the database holds no whole process"
    ),
    "FUPIN_ACCESS_LOG": Variable(
        "-", "`fupin serve --access-log`: a file, `-` for standard output or `off`; search text is not written"
    ),
    "FUPIN_TIMEOUT": Variable("300", "`fupin serve --timeout`: seconds a request may take before its worker restarts"),
}


def env(name: str, default: str | Path | None = None) -> str | Path | None:
    """The variable's value, or `default` when it is unset. Only for names in ENVIRONMENT: one read without being
    documented fails at once, not in a county's deployment."""
    if name not in ENVIRONMENT:
        raise ImproperlyConfigured(f"{name} is not in fupin.settings.ENVIRONMENT")
    return os.environ.get(name, default)


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env("FUPIN_DATA_DIR", Path.cwd()))

#: the key a development checkout runs with; with DEBUG off the system checks refuse it (fupin.accounts.checks)
DEVELOPMENT_SECRET_KEY = "fupin-local-development-key-change-me-in-production"


def _secret_key() -> str:
    """FUPIN_SECRET_KEY, else the content of the file FUPIN_SECRET_KEY_FILE names (scripts/run makes one in the
    data directory), else the development key. A named file that cannot be read stops here, not at a request."""
    if key := env("FUPIN_SECRET_KEY"):
        return key
    if path := env("FUPIN_SECRET_KEY_FILE"):
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"FUPIN_SECRET_KEY_FILE={path}：无法读取密钥文件（{exc.strerror}）") from None
    return DEVELOPMENT_SECRET_KEY


SECRET_KEY = _secret_key()
DEBUG = env("FUPIN_DEBUG", "0") == "1"
ALLOWED_HOSTS = env("FUPIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "fupin.accounts.admin_site.FupinAdminConfig",  # django.contrib.admin with the fail-closed site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger UI from its own static files: no CDN on an offline intranet
    "csp",
    "django_filters",  # the lists' FilterSets (registry.filters)
    "django_tables2",  # the result tables (registry.tables, policy.tables)
    "fupin.accounts",  # before axes: its `unlock` and the audited stand-ins for axes_reset* win (accounts.lockout)
    "fupin.areas",
    "fupin.registry",
    "fupin.policy",
    "fupin.exchange",
    "fupin.monitoring",
    "fupin.assistance",
    "fupin.funds",
    "fupin.supervision",
    "fupin.web",
    "fupin.demo",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fupin.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fupin.middleware.DomainErrorMiddleware",  # after messages: a refusal escaping a page's view becomes its answer
    "axes.middleware.AxesMiddleware",  # last: turns a refused login into the lockout page (accounts.lockout)
]

# django-axes first: it refuses a locked-out login before the password is checked; it needs the request, which the
# login views pass (tests log in with force_login, which takes the first backend that loads users: ModelBackend)
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

ROOT_URLCONF = "fupin.urls"
WSGI_APPLICATION = "fupin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def _database():
    url = env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'fupin.sqlite3'}"
    db = dj_database_url.parse(url, conn_max_age=60)
    if db["ENGINE"].endswith("sqlite3"):
        # WAL lets readers go on while an import or the demo writes; IMMEDIATE avoids lock upgrades mid-transaction.
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        db["CONN_MAX_AGE"] = 0
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "registry:household-list"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
if env("FUPIN_STATIC_MANIFEST") == "1":
    # set by `fupin serve`, which collects first: hashed names and gzip copies under STATIC_ROOT, cached for good by
    # browsers; tests and runserver read the apps' files as they are
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    WHITENOISE_USE_FINDERS = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"

# Behind the county's HTTPS proxy (docs/deploy.md, section 5). The proxy sets X-Forwarded-Proto itself (never passed
# through from the client), so Django may take it as the scheme; cookies then travel over HTTPS only. HSTS is kept
# short (FUPIN_HSTS_SECONDS, default one day, no subdomains, no preload): an intranet name whose certificate
# lapses must not lock the county's browsers out of it for a year; the proxy redirects plain HTTP, not Django (a
# health check on 127.0.0.1 must not be redirected).
HTTPS = env("FUPIN_HTTPS", "0") == "1"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("FUPIN_HSTS_SECONDS", "86400"))
    CSRF_TRUSTED_ORIGINS = [
        f"https://*{host}" if host.startswith(".") else f"https://{host}"
        for host in (host.strip() for host in ALLOWED_HOSTS)
        if host and host != "*"
    ]
#: addresses of the proxies whose X-Forwarded-For names the client (accounts.lockout.client_ip: the lockout and the
#: login audit); by default the proxy on this machine, once FUPIN_HTTPS says there is one
TRUSTED_PROXIES = [
    address.strip()
    for address in env("FUPIN_TRUSTED_PROXIES", "127.0.0.1,::1" if HTTPS else "").split(",")
    if address.strip()
]

# Login lockout (django-axes): FUPIN_LOGIN_FAILURES wrong passwords in a row lock that username *from that address*
# for FUPIN_LOGIN_COOLOFF_MINUTES, or until an administrator lifts it (the admin's 登录锁定, `fupin unlock`). Keyed
# by username and address together: keyed by address alone, one clerk's typos behind the county's proxy or NAT
# (every user shares its address) would lock everyone out; keyed by username alone, anyone could lock any user out
# from anywhere. A success resets the count. Attempts made while locked neither count nor extend the lockout, so
# "try again in 30 minutes" holds. Failures and lockouts are also in fupin's audit log (accounts.signals); axes's
# own log of successful logins is off, the audit log has them.
AXES_FAILURE_LIMIT = int(env("FUPIN_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("FUPIN_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "fupin.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "fupin.accounts.lockout.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False  # its admins would show every attempt to any superuser-only page; ours is scoped
AXES_VERBOSE = False

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and fetches from this server only
# (the pages carry no inline script, style or event attribute: tests/sweep/test_csp.py), images also as data: URLs
# (the favicon, Swagger's icons), no plugins, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("FUPIN_LOG_LEVEL", "WARNING")},
}

# Imports (fupin.exchange): uploaded files, error reports and progress live under EXCHANGE_DIR, one folder a job.
EXCHANGE_DIR = Path(env("FUPIN_EXCHANGE_DIR", DATA_DIR / "exchange"))
EXCHANGE_MAX_UPLOAD_BYTES = int(env("FUPIN_IMPORT_MAX_MB", "300")) * 2**20
EXCHANGE_MAX_UNPACKED_BYTES = int(env("FUPIN_IMPORT_MAX_UNPACKED_MB", "1024")) * 2**20
EXCHANGE_MEMORY_LIMIT = env("FUPIN_IMPORT_MEMORY", "2GB")  # DuckDB's memory_limit while it stages a file
EXCHANGE_ABANDONED_AFTER = int(env("FUPIN_IMPORT_ABANDONED_AFTER", "600"))
POLICY_PACKS_DIR = Path(env("FUPIN_PACKS_DIR")) if env("FUPIN_PACKS_DIR") else None
# Exports (fupin.exchange.export_jobs): up to EXPORT_IMMEDIATE_ROWS rows the file is sent in the request (about a
# second for an .xlsx on a 2-core machine); a larger export runs as a job, its file kept EXPORT_KEEP_HOURS.
EXPORT_IMMEDIATE_ROWS = int(env("FUPIN_EXPORT_IMMEDIATE_ROWS", "20000"))
EXPORT_KEEP_HOURS = float(env("FUPIN_EXPORT_KEEP_HOURS", "24"))
POLICY_PARALLEL_MIN_HOUSEHOLDS = int(env("FUPIN_ASSESS_PARALLEL_MIN", "100000"))
POLICY_JOBS_DIR = Path(env("FUPIN_ASSESS_DIR", DATA_DIR / "assessments"))  # assessment jobs' progress
MONITORING_FILES_DIR = Path(env("FUPIN_MONITORING_DIR", DATA_DIR / "monitoring"))  # evidence, department reports
ASSISTANCE_FILES_DIR = Path(env("FUPIN_ASSISTANCE_DIR", DATA_DIR / "assistance"))  # visit photos
FUNDS_FILES_DIR = Path(env("FUPIN_FUNDS_DIR", DATA_DIR / "funds"))  # projects' acceptance records, audits, notices
SUPERVISION_FILES_DIR = Path(env("FUPIN_SUPERVISION_DIR", DATA_DIR / "supervision"))  # problems' evidence files
# Registry field rules (fupin.registry.values): the county's household-number pattern (a regular expression the whole
# number must match; empty: 2–24 letters, digits or "-") with its description for clerks, and the earliest date a
# registry event may carry (identification, monitoring, status events; none may be in the future).
REGISTRY_HOUSEHOLD_NUMBER_PATTERN = env("FUPIN_HOUSEHOLD_NUMBER_PATTERN", "")
REGISTRY_HOUSEHOLD_NUMBER_HINT = env("FUPIN_HOUSEHOLD_NUMBER_HINT", "")
REGISTRY_EARLIEST_EVENT_DATE = env("FUPIN_EARLIEST_EVENT_DATE", "2013-01-01")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 2**20  # larger uploads spool to a temporary file, never held in memory
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20

# Background jobs (django-tasks): the database backend, run by `fupin db_worker` (scripts/run starts one).
# FUPIN_TASKS=immediate runs each job inside the request that starts it (tests, single-process setups).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env("FUPIN_TASKS") == "immediate"
        else "django_tasks_db.DatabaseBackend"
    }
}
