"""Reading ``MPANEL_*`` environment variables into typed settings."""

from __future__ import annotations


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message names the variable."""


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true or false")


def _list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


# Setting name -> parser of its MPANEL_<name> variable.
ENV_SETTINGS = {
    "ENV": str,
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "MIGRATION_DATABASE_URL": str,
    "DATABASE_POOL_SIZE": int,
    "DATABASE_MAX_OVERFLOW": int,
    "DATABASE_PREPARED_STATEMENTS": _bool,
    "REDIS_URL": str,
    "HUEY_SQLITE_PATH": str,
    "HUEY_IMMEDIATE": _bool,
    "HUEY_QUEUE": str,
    "BASE_DOMAIN": str,
    "ENABLED_PLUGINS": _list,
    "PLUGIN_CATALOGUE": str,
    "ENCRYPTION_KEY": str,
    "DEFAULT_LOCALE": str,
    "LOGIN_RATE_LIMIT": str,
    "ACCOUNT_LOGIN_RATE_LIMIT": str,
    "TRUSTED_PROXY_HOPS": int,
    "API_RATE_LIMIT": str,
    "API_ANONYMOUS_RATE_LIMIT": str,
    "METRICS_TOKEN": str,
    "METRICS_ALLOW": _list,
    "JWT_ACCESS_MINUTES": int,
    "JWT_REFRESH_DAYS": int,
    "SMTP_HOST": str,
    "SMTP_PORT": int,
    "SMTP_STARTTLS": _bool,
    "SMTP_USERNAME": str,
    "SMTP_PASSWORD": str,
    "MAIL_FROM": str,
    "SMTP_TIMEOUT": int,
    "OUTBOX_RETRY_HOURS": int,
    "STORAGE_BACKEND": str,
    "STORAGE_PATH": str,
    "STORAGE_ATTEMPTS": int,
    "STORAGE_URL_SECONDS": int,
    "S3_ENDPOINT_URL": str,
    "S3_REGION": str,
    "S3_BUCKET": str,
    "S3_PREFIX": str,
    "S3_ACCESS_KEY_ID": str,
    "S3_SECRET_ACCESS_KEY": str,
    "S3_SERVER_SIDE_ENCRYPTION": str,
    "S3_KMS_KEY_ID": str,
    "BACKUP_KEY": str,
    "BACKUP_DATABASE_URL": str,
    "BACKUP_KEEP_DAILY": int,
    "BACKUP_KEEP_WEEKLY": int,
    "BACKUP_KEEP_MONTHLY": int,
    "BACKUP_TMP_DIR": str,
}


def parse_env(environ) -> dict:
    values = {}
    for name, parse in ENV_SETTINGS.items():
        raw = environ.get(f"MPANEL_{name}")
        if raw is None:
            continue
        try:
            values[name] = parse(raw)
        except ValueError as exc:
            raise ConfigError(f"MPANEL_{name}={raw!r} is invalid: {exc}") from None
    return values
