"""Settings for zhengwu.

Server settings come from the environment (12-factor). Nothing here is policy:
deadlines, thresholds and holidays live in database tables an admin edits.

Environment:
- ``ZHENGWU_ENV``: ``development`` (default) or ``production``.
- ``SECRET_KEY``: required in production; the process refuses to start without it.
- ``DATABASE_URL``: e.g. ``postgres://user:pass@host:5432/zhengwu``; default is the
  embedded SQLite file ``var/zhengwu.sqlite3``.
- ``DATABASE_REPLICA_URLS``: comma-separated PostgreSQL hot standbys for reads that tolerate a little lag
  (``zhengwu.core.replicas``); ``REPLICA_MAX_LAG_SECONDS``, ``READ_YOUR_WRITES_SECONDS``.
- ``REDIS_URL``: shared cache (and, later, live-board fan-out) for several app processes.
- ``PAGE_CACHE_SECONDS``: how long a public page may be served from the shared cache to anonymous
  visitors at most (default 120 with Redis, 0 = off; ``zhengwu.core.pagecache``).
- ``PROGRESS_CACHE_SECONDS``: how long a progress-query answer may be kept in the shared cache at most; a
  change of the case drops it at once (default 120 with Redis, 0 = off; ``zhengwu.cases.progress``).
- ``ALLOWED_HOSTS``: comma-separated host names (production).
- ``ZHENGWU_VAR_DIR``: where SQLite, media and collected static files go (default ``./var``).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("ZHENGWU_VAR_DIR", Path.cwd() / "var")).resolve()

ENV = os.environ.get("ZHENGWU_ENV", "development").lower()
PRODUCTION = ENV == "production"
# DEBUG is off unless asked for (DEBUG=1): the demo too shows Chinese error pages, never a traceback.
DEBUG = os.environ.get("DEBUG", "0") == "1"
# The console notifier prints SMS texts (one-use links, codes) only outside production.
NOTIFY_LOG_TEXT = os.environ.get("NOTIFY_LOG_TEXT", "0" if PRODUCTION else "1") == "1"

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("生产环境必须设置环境变量 SECRET_KEY（SECRET_KEY must be set in production）")
    SECRET_KEY = "zhengwu-development-only-not-secret"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not PRODUCTION:
    ALLOWED_HOSTS += ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # django-ninja's own Swagger UI and ReDoc assets: /api/docs works on an intranet with no internet
    "ninja",
    "zhengwu.core",
    "zhengwu.accounts",
    "zhengwu.org",
    "zhengwu.workdays",
    "zhengwu.catalog",
    "zhengwu.cases",
    "zhengwu.joint",
    "zhengwu.projects",
    "zhengwu.agency",
    "zhengwu.trading",
    "zhengwu.intermediary",
    "zhengwu.hall",
    "zhengwu.disclosure",
    "zhengwu.hotline",
    "zhengwu.open311",
    "zhengwu.ratings",
    "zhengwu.supervision",
    "zhengwu.appraisal",
    "zhengwu.commitments",
    "zhengwu.declarations",
    "zhengwu.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and views: oversize bodies (413), NUL and lone surrogates (400), the API's JSON errors.
    "zhengwu.core.middleware.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication and messages: Idempotency-Key on the API, one-time form tokens on pages.
    "zhengwu.core.idempotency.IdempotencyMiddleware",
    # Innermost: which reads may go to a replica, read-your-writes, a replica failure served again from the
    # primary (inside the idempotency check, so a repeat is not taken for a second request).
    "zhengwu.core.replicas.ReplicaReadMiddleware",
]

ROOT_URLCONF = "zhengwu.urls"
WSGI_APPLICATION = "zhengwu.wsgi.application"
ASGI_APPLICATION = "zhengwu.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["zhengwu.core.templatetags.form_once",  # {% form_once %} in every form that acts
                         "zhengwu.core.templatetags.formerrors",  # {% error_summary %}, {% invalid %}, {% field_error %}
                         "zhengwu.core.templatetags.url_memo"],  # {% url %} without arguments remembered
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhengwu.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'zhengwu.sqlite3'}"),
        conn_max_age=0,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A bounded pool per app process (psycopg_pool) instead of a connection per request: processes ×
    # nodes × DB_POOL_MAX must stay below PostgreSQL's max_connections (README). A request that waits
    # DB_POOL_TIMEOUT seconds for a free connection is answered 503 with Retry-After (core.views).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN", "1")),
        "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "5")),
    }
    # Read replicas (PostgreSQL hot standbys): see zhengwu/core/replicas.py for what reads there.
    for _n, _url in enumerate(u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()):
        _replica = dj_database_url.parse(_url, conn_max_age=0, conn_health_checks=True)
        _replica.setdefault("OPTIONS", {})["connect_timeout"] = int(os.environ.get("REPLICA_CONNECT_TIMEOUT", "2"))
        # min_size 0: no background reconnecting to a replica that is down; a short wait for a connection.
        _replica["OPTIONS"]["pool"] = {"min_size": 0, "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
                                       "timeout": float(os.environ.get("REPLICA_CONNECT_TIMEOUT", "2"))}
        _replica["TEST"] = {"MIRROR": "default"}  # the test suite never builds a database on a standby
        DATABASES[f"replica_{_n}"] = _replica
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the embedded demo serve several requests at once. A request that waits
    # SQLITE_BUSY_TIMEOUT seconds for the write lock is answered 503 with Retry-After, like an exhausted pool.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": float(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "transaction_mode": "IMMEDIATE"}
    )

if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["zhengwu.core.replicas.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "10"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "5"))
REPLICA_RETRY_SECONDS = float(os.environ.get("REPLICA_RETRY_SECONDS", "30"))
READ_YOUR_WRITES_SECONDS = float(os.environ.get("READ_YOUR_WRITES_SECONDS", "5"))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Django's RedisCache with its connection pool kept per process, not per thread (zhengwu.core.cache)
    CACHES = {"default": {"BACKEND": "zhengwu.core.cache.SharedPoolRedisCache", "LOCATION": REDIS_URL}}
else:
    # Without Redis the guessing counters and the calendar signal must still be shared by every worker
    # process: the database cache (its table is created after every migrate). A per-process cache would
    # let each worker count on its own.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "zhengwu_cache"}}

# Whole public pages (事项查询, 办事指南) kept for anonymous visitors, renewed when the catalog changes
# (zhengwu.core.pagecache); only with Redis as the shared cache. 0 turns it off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "120" if REDIS_URL else "0"))
# Answers of the public progress query kept in the shared cache, dropped when their case changes
# (zhengwu.cases.progress); only with Redis. 0 turns it off.
PROGRESS_CACHE_SECONDS = int(os.environ.get("PROGRESS_CACHE_SECONDS", "120" if REDIS_URL else "0"))

# Sessions live in the database so any app process can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:me"

# 统一身份认证 (a province's identity service, OpenID Connect; zhengwu/accounts/oidc.py): on when
# OIDC_RP_CLIENT_ID is set, with the provider's endpoints (from its /.well-known/openid-configuration).
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")  # default: the token endpoint's origin and path prefix
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid profile phone")
OIDC_ID_NUMBER_CLAIM = os.environ.get("OIDC_ID_NUMBER_CLAIM", "id_number")  # the verified 身份证号
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "/login/?oidc=failed"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"] + (
    ["zhengwu.accounts.oidc.UnifiedIdentityBackend"] if OIDC_RP_CLIENT_ID else [])
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploads: the platform's own limit for a single file (bytes); refused with a Chinese message.
ZHENGWU_MAX_UPLOAD_BYTES = int(os.environ.get("ZHENGWU_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
# A whole page form with its files (an application with its materials, a 政务公开 request with its
# attachments: up to ten files); an API upload carries one file. Refused from Content-Length, unread (413).
ZHENGWU_MAX_REQUEST_BYTES = int(os.environ.get("ZHENGWU_MAX_REQUEST_BYTES",
                                               str(10 * ZHENGWU_MAX_UPLOAD_BYTES + 1024 * 1024)))
# Everything that is not a file (a JSON body, form fields): Django's default, refused with 413 too.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
ZHENGWU_NOTIFIER = os.environ.get("ZHENGWU_NOTIFIER", "zhengwu.core.notify.ConsoleNotifier")
# Absolute address of the platform for links printed on documents (QR codes) outside a request.
ZHENGWU_SITE_URL = os.environ.get("ZHENGWU_SITE_URL", "http://localhost:8000/")
ZHENGWU_SITE_NAME = os.environ.get("ZHENGWU_SITE_NAME", "综合政务服务平台")
# Public resource trading: the OCDS ocid prefix registered with the Open Contracting Partnership (the
# default is the one OCDS examples and tools use for tests), and the largest sealed bid envelope.
OCDS_OCID_PREFIX = os.environ.get("OCDS_OCID_PREFIX", "ocds-213czf")
OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME", f"{ZHENGWU_SITE_NAME}公共资源交易平台")
TRADING_BID_MAX_BYTES = int(os.environ.get("TRADING_BID_MAX_BYTES", str(20 * 1024 * 1024)))

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = os.environ.get("SECURE_COOKIES", "1") == "1"
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Static files straight from the apps in development (no collectstatic needed for the demo).
WHITENOISE_USE_FINDERS = not PRODUCTION  # the demo and development serve static files without collectstatic
WHITENOISE_AUTOREFRESH = DEBUG
