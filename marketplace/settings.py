"""Settings for the exchange, read from the environment.

With nothing set the site runs on the embedded default (SQLite, tasks executed
eagerly in-process, files on local disk, mail to the console). Every variable
is listed in the README.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


DEBUG = env_bool("DJANGO_DEBUG", True)
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105 - refused below
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and (not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

# The exchange's identity (interop-v1 §1).
EXCHANGE_CODE = os.environ.get("EXCHANGE_CODE", "DEMO").upper()
EXCHANGE_NAME = os.environ.get("EXCHANGE_NAME", "示范数据交易所")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Rules.
REGISTRATION_NOTICE_DAYS = env_int("REGISTRATION_NOTICE_DAYS", 3)
COVER_IMAGE_MAX_BYTES = env_int("COVER_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
SAMPLE_MAX_BYTES = env_int("SAMPLE_MAX_BYTES", 2 * 1024 * 1024)
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
PERIODIC_INTERVAL_SECONDS = env_int("PERIODIC_INTERVAL_SECONDS", 30)
PRICE_INCREASE_NOTICE_DAYS = env_int("PRICE_INCREASE_NOTICE_DAYS", 30)
REVENUE_WARNING_PERCENT = env_int("REVENUE_WARNING_PERCENT", 90)
FREE_USE_DEFAULT_DAYS = env_int("FREE_USE_DEFAULT_DAYS", 365)
# Demands and matching (DESIGN §3.4): scores run from 0 to 1.
# Both sides are notified (once per pair) of a match scoring at least this.
MATCH_NOTIFY_THRESHOLD = float(os.environ.get("MATCH_NOTIFY_THRESHOLD") or "0.6")
# Matches scoring below this are not kept, except a demand's MATCH_KEEP_PER_DEMAND best.
MATCH_MIN_SCORE = float(os.environ.get("MATCH_MIN_SCORE") or "0.4")
MATCH_KEEP_PER_DEMAND = env_int("MATCH_KEEP_PER_DEMAND", 20)
# Relative weights of text relevance, industry section, delivery mode, budget and merchant standing.
MATCH_WEIGHTS = {
    "text": float(os.environ.get("MATCH_WEIGHT_TEXT") or "0.5"),
    "section": float(os.environ.get("MATCH_WEIGHT_SECTION") or "0.15"),
    "delivery": float(os.environ.get("MATCH_WEIGHT_DELIVERY") or "0.1"),
    "budget": float(os.environ.get("MATCH_WEIGHT_BUDGET") or "0.15"),
    "standing": float(os.environ.get("MATCH_WEIGHT_STANDING") or "0.1"),
}
# A new demand is scored against at most this many products, found by its rarest words in at most this many postings.
MATCH_CANDIDATES = env_int("MATCH_CANDIDATES", 100)
MATCH_CANDIDATE_ROWS = env_int("MATCH_CANDIDATE_ROWS", 20000)
# How often the words of the listed catalog are recounted from scratch (between, listings update them one by one).
MATCH_STATS_REBUILD_SECONDS = env_int("MATCH_STATS_REBUILD_SECONDS", 24 * 3600)

# Governance (DESIGN §3.6): credit scores run from 0 to 100; below this an organisation may not submit
# registrations or make offers. Each upheld objection or dispute, violation or cancellation counts this many days.
CREDIT_MIN_SCORE_TO_TRADE = env_int("CREDIT_MIN_SCORE_TO_TRADE", 60)
CREDIT_WINDOW_DAYS = env_int("CREDIT_WINDOW_DAYS", 730)

# Certificates, signing keys and peer exchanges (interop-v1).
# The private key comes from SIGNING_KEY (PEM) when set, else from SIGNING_KEY_FILE, generated on first use.
SIGNING_KEY = os.environ.get("SIGNING_KEY", "")
SIGNING_KEY_FILE = Path(os.environ.get("SIGNING_KEY_FILE", DATA_DIR / "signing" / "ed25519.pem"))
CERTIFICATE_VALID_DAYS = env_int("CERTIFICATE_VALID_DAYS", 3 * 365)
PEER_POLL_SECONDS = env_int("PEER_POLL_SECONDS", 60)
PEER_HTTP_TIMEOUT_SECONDS = env_int("PEER_HTTP_TIMEOUT_SECONDS", 10)
# Peers' base URLs must be https:// unless this is on (the default while DEBUG is on, for local peers).
INTEROP_ALLOW_HTTP = env_bool("INTEROP_ALLOW_HTTP", DEBUG)

# Orders, payment, entitlements and the data API (DESIGN §3.5).
# Stripe is on when both keys are set; bank transfer (对公转账) and free orders always work.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Another Stripe-compatible API base (localstripe in tests, e.g. http://127.0.0.1:8420); empty = Stripe itself.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
STRIPE_PAYMENT_METHOD_TYPES = [
    m.strip() for m in os.environ.get("STRIPE_PAYMENT_METHOD_TYPES", "card,alipay,wechat_pay").split(",") if m.strip()
]
# Revenue split of each payment (收益分配): decimal fractions of the amount paid, as strings.
EXCHANGE_COMMISSION_RATE = os.environ.get("EXCHANGE_COMMISSION_RATE", "0.05")
PUBLIC_DATA_SOURCE_SHARE = os.environ.get("PUBLIC_DATA_SOURCE_SHARE", "0.10")
# The exchange's account buyers pay bank transfers (对公转账) into.
BANK_ACCOUNT_NAME = os.environ.get("BANK_ACCOUNT_NAME", "示范数据交易所有限公司")
BANK_ACCOUNT_NUMBER = os.environ.get("BANK_ACCOUNT_NUMBER", "6222 0000 0000 0000 000")
BANK_NAME = os.environ.get("BANK_NAME", "示范银行上海分行营业部")
# Days a merchant has to approve an access request for an important-data product before it expires.
IMPORTANT_DATA_APPROVAL_DAYS = env_int("IMPORTANT_DATA_APPROVAL_DAYS", 7)
# Days an entitlement to calls or a licence lasts (subscriptions last the months bought).
ENTITLEMENT_VALID_DAYS = env_int("ENTITLEMENT_VALID_DAYS", 365)
# The data API: per-key rate limit ("N/s" or "N/m"), largest page of rows, upstream proxy limits.
DATA_API_RATE_LIMIT = os.environ.get("DATA_API_RATE_LIMIT", "20/s")
DATA_API_MAX_PAGE_SIZE = env_int("DATA_API_MAX_PAGE_SIZE", 100)
DATASET_UPLOAD_MAX_BYTES = env_int("DATASET_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
# Merchants' dataset uploads wait here until loaded and deleted.
PRIVATE_UPLOAD_ROOT = Path(os.environ.get("PRIVATE_UPLOAD_ROOT", DATA_DIR / "private"))
UPSTREAM_TIMEOUT_SECONDS = env_int("UPSTREAM_TIMEOUT_SECONDS", 10)
UPSTREAM_MAX_BYTES = env_int("UPSTREAM_MAX_BYTES", 1024 * 1024)
# Hosts or networks (CIDR) an upstream endpoint may use although not public; empty in production, tests only.
UPSTREAM_ALLOWED_HOSTS = [h.strip() for h in os.environ.get("UPSTREAM_ALLOWED_HOSTS", "").split(",") if h.strip()]
# Keys of the data API are stored as HMAC-SHA256 under this pepper (derived from DJANGO_SECRET_KEY when empty).
API_KEY_PEPPER = os.environ.get("API_KEY_PEPPER", "")
# Merchants' upstream credentials are encrypted (Fernet) under this key (derived from DJANGO_SECRET_KEY when empty).
UPSTREAM_CREDENTIAL_KEY = os.environ.get("UPSTREAM_CREDENTIAL_KEY", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "catalog",
    "pricing",
    "marketplace",
    "marketplace.orders",
    "marketplace.access",
    "marketplace.matching",
    "marketplace.governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.RequestContextMiddleware",
    "accounts.middleware.CurrentOrganizationMiddleware",
    "accounts.two_factor.TwoFactorMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
ASGI_APPLICATION = "marketplace.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.exchange",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Concurrent requests on the embedded default wait for the write lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "catalog:home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
# Uploads are never served from MEDIA_ROOT: each is served by a view that checks who asks (accounts.files).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files are served by WhiteNoise; without collectstatic (development, tests) it finds them in place.
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Mail goes to the console unless EMAIL_HOST names an SMTP server.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@exchange.invalid")

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Celery: with no broker the tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "complete-due-registrations": {
        "task": "catalog.tasks.complete_due_registrations",
        "schedule": timedelta(seconds=PERIODIC_INTERVAL_SECONDS),
    },
    "recheck-guided-price-caps": {
        "task": "pricing.tasks.recheck_guided_price_caps",
        "schedule": timedelta(seconds=PERIODIC_INTERVAL_SECONDS),
    },
    "follow-peer-feeds": {
        "task": "catalog.tasks.follow_peer_feeds",
        "schedule": timedelta(seconds=PEER_POLL_SECONDS),
    },
    "expire-access-requests": {
        "task": "marketplace.orders.tasks.expire_access_requests",
        "schedule": timedelta(seconds=PERIODIC_INTERVAL_SECONDS),
    },
    "roll-entitlement-periods": {
        "task": "marketplace.access.tasks.roll_entitlement_periods",
        "schedule": timedelta(seconds=PERIODIC_INTERVAL_SECONDS),
    },
    "expire-demands": {
        "task": "marketplace.matching.tasks.expire_demands",
        "schedule": timedelta(seconds=PERIODIC_INTERVAL_SECONDS),
    },
    "rebuild-match-term-stats": {
        "task": "marketplace.matching.tasks.rebuild_term_stats",
        "schedule": timedelta(seconds=MATCH_STATS_REBUILD_SECONDS),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    # Documents the refusals (400/403/404/409/415) each operation can give besides what its view declares.
    "DEFAULT_SCHEMA_CLASS": "accounts.api.schema.ExchangeAutoSchema",
    "EXCEPTION_HANDLER": "accounts.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Data exchange API",
    "DESCRIPTION": "Registration, review and catalog of the data-product exchange.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganizationStatusEnum": "accounts.models.OrganizationStatus",
        "RegistrationStatusEnum": "catalog.models.RegistrationStatus",
        "ListingStatusEnum": "catalog.models.ListingStatus",
        "ObjectionStatusEnum": "catalog.models.ObjectionStatus",
        "DeliveryModeEnum": "catalog.choices.DeliveryModeCode",
        "PurposeEnum": "catalog.choices.Purpose",
        "BillingUnitEnum": "pricing.models.BillingUnit",
        "PaymentMethodEnum": "marketplace.orders.models.PaymentMethod",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}

# ── Security ────────────────────────────────────────────────────────────────
# `manage.py check --deploy` passes with DJANGO_DEBUG=false (tests/security/test_settings.py keeps it so).
# Cookies: never readable by scripts (JS takes the CSRF token from the page, e.g. a data-csrf attribute), sent
# on top-level navigation back from Stripe or a mailed link (Lax), and only over HTTPS in production.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"

# Content Security Policy (Django's own, django.middleware.csp), in development as in production so that the
# tests see what production sends. Scripts and styles come from this site's static files only: no inline
# <script>, no on*= handlers, no style="" attributes. A view that needs more says so with
# django.views.decorators.csp.csp_override and one of the policies below.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
}
# The online payment page: Stripe.js and the Payment Element's frames (https://docs.stripe.com/security/guide#content-security-policy).
#   @csp_override(settings.SECURE_CSP_STRIPE)  on the view that renders templates/orders/pay.html
SECURE_CSP_STRIPE = SECURE_CSP | {
    "script-src": [CSP.SELF, "https://js.stripe.com", "https://*.js.stripe.com"],
    "frame-src": ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": [CSP.SELF, "https://api.stripe.com", "https://*.stripe.com"],
    "img-src": [CSP.SELF, "data:", "https://*.stripe.com"],
}
# Redoc's API documentation page (from drf-spectacular-sidecar): its own script only, but it styles itself with
# <style> elements it inserts and searches in a Worker made from a blob. (Swagger UI, /api/docs/, needs nothing more.)
SECURE_CSP_REDOC = SECURE_CSP | {
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "worker-src": [CSP.SELF, "blob:"],
}

# Sign-in protection (accounts/signin.py): after this many failed sign-ins within SIGNIN_LOCKOUT_SECONDS for
# one user name, or from one address, that user name or address is refused until SIGNIN_LOCKOUT_SECONDS have
# passed since the failure that locked it. Counters live in the cache (Redis with CACHE_URL).
SIGNIN_FAILURES_PER_ACCOUNT = env_int("SIGNIN_FAILURES_PER_ACCOUNT", 5)
SIGNIN_FAILURES_PER_ADDRESS = env_int("SIGNIN_FAILURES_PER_ADDRESS", 20)
SIGNIN_LOCKOUT_SECONDS = env_int("SIGNIN_LOCKOUT_SECONDS", 15 * 60)
# How many reverse proxies in front of the site append to X-Forwarded-For (0: the client is REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
AUTHENTICATION_BACKENDS = [
    "accounts.signin.LockoutBackend",  # refuses a locked-out user name or address before any password is checked
    "django.contrib.auth.backends.ModelBackend",
]
# Two-factor sign-in (TOTP, RFC 6238, via django-otp): operators and the price authority must verify a code
# after their password before any other page (accounts/two_factor.py). Whoever enrolled is always asked.
STAFF_TWO_FACTOR_REQUIRED = env_bool("STAFF_TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = EXCHANGE_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a TOTP secret or a recovery code
