"""Default settings. Each ``MPANEL_<NAME>`` environment variable overrides ``<NAME>``."""

from flask_appbuilder.const import AUTH_DB

DEVELOPMENT_SECRET_KEY = "mpanel-development-only-secret-key-change-me"  # noqa: S105 (refused in production)

ENV = "development"
SECRET_KEY = ""
# Runtime role: owns nothing and cannot bypass row-level security.
DATABASE_URL = "postgresql+psycopg://mpanel_app@127.0.0.1:5432/mpanel"
# Owner role: runs migrations only.
MIGRATION_DATABASE_URL = ""
# Each process's connection pool. Behind PgBouncer in transaction mode (before 1.21, or without
# max_prepared_statements) set DATABASE_PREPARED_STATEMENTS=false: a statement psycopg prepared on
# one server connection would be executed on another.
DATABASE_POOL_SIZE = 5
DATABASE_MAX_OVERFLOW = 10
DATABASE_PREPARED_STATEMENTS = True
REDIS_URL = ""
HUEY_SQLITE_PATH = "var/huey.sqlite3"
HUEY_IMMEDIATE = False
# The job queue's name in Redis; empty: derived from the database URL, so installations that
# share one Redis never take each other's jobs.
HUEY_QUEUE = ""
# Host names: <slug>.<BASE_DOMAIN> resolves a tenant, BASE_DOMAIN itself is the platform.
BASE_DOMAIN = "localhost"
# Plugins the engine loads; "all" means every installed mpanel.plugins entry point.
ENABLED_PLUGINS = ["all"]
PLUGIN_CATALOGUE = ""
ENCRYPTION_KEY = ""
DEFAULT_LOCALE = "en"
LOGIN_RATE_LIMIT = "5 per 60 second"
ACCOUNT_LOGIN_RATE_LIMIT = "10 per 15 minute"
# Reverse proxies in front of the app that add X-Forwarded-For/-Proto (0: none, trust no such header).
TRUSTED_PROXY_HOPS = 0
# Whole-API limits (a tenant may set its own): per API key or user, and per address for anonymous calls.
API_RATE_LIMIT = "600 per minute"
API_ANONYMOUS_RATE_LIMIT = "60 per minute"
METRICS_TOKEN = ""
METRICS_ALLOW = ["127.0.0.1", "::1"]
JWT_ACCESS_MINUTES = 15
JWT_REFRESH_DAYS = 30
SMTP_HOST = "127.0.0.1"
SMTP_PORT = 25
SMTP_STARTTLS = False
SMTP_USERNAME = ""
SMTP_PASSWORD = ""
MAIL_FROM = "billing@localhost"
# RFC 5321 4.5.3.2: a client waits 10 minutes for the answer to the final dot.
SMTP_TIMEOUT = 600
# How long the outbox retries a side effect (mail to a dead SMTP server ...) before it
# marks it failed and tells the tenant's staff.
OUTBOX_RETRY_HOURS = 72
# Files (docs/operations.md): "local" (a folder, relative to the installation) or "s3".
STORAGE_BACKEND = "local"
STORAGE_PATH = "var/storage"
STORAGE_ATTEMPTS = 3
STORAGE_URL_SECONDS = 300
S3_ENDPOINT_URL = ""
S3_REGION = ""
S3_BUCKET = ""
S3_PREFIX = ""
S3_ACCESS_KEY_ID = ""
S3_SECRET_ACCESS_KEY = ""
S3_SERVER_SIDE_ENCRYPTION = ""  # "", "AES256" or "aws:kms"
S3_KMS_KEY_ID = ""
# Backups: a Fernet key kept outside the backups; a role that bypasses RLS (default: the owner's URL).
BACKUP_KEY = ""
BACKUP_DATABASE_URL = ""
BACKUP_KEEP_DAILY = 7
BACKUP_KEEP_WEEKLY = 4
BACKUP_KEEP_MONTHLY = 12
BACKUP_TMP_DIR = ""  # where a backup is spooled before its upload ("": the system's temporary folder)

# Flask / FAB / extensions (not read from the environment).
APP_NAME = "MPanel"
AUTH_TYPE = AUTH_DB
AUTH_ROLE_ADMIN = "Operator"
AUTH_ROLE_PUBLIC = "Public"
AUTH_RATE_LIMITED = False  # MPanel installs its own limits on both logins
AUTH_USER_REGISTRATION = False
FAB_SECURITY_MANAGER_CLASS = "mpanel.core.security.manager.MPanelSecurityManager"
FAB_INDEX_VIEW = "mpanel.modules.accounts.home.HomeView"
FAB_CREATE_DB = False
FAB_UPDATE_PERMS = False
FAB_ADD_SECURITY_API = False
FAB_API_SWAGGER_UI = True
FAB_API_MAX_PAGE_SIZE = 100
FAB_PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105
RATELIMIT_ENABLED = True
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
WTF_CSRF_ENABLED = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
BABEL_DEFAULT_FOLDER = "translations"
LANGUAGES = {
    "en": {"flag": "gb", "name": "English"},
    "de": {"flag": "de", "name": "Deutsch"},
    "fr": {"flag": "fr", "name": "Français"},
}
