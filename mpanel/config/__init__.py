"""Settings: defaults, then the optional ``config.py`` override file, then
``MPANEL_*`` environment variables, then explicit overrides (tests).

Validated once at start; a bad or missing value stops the start with a message
that names the variable.
"""

from __future__ import annotations

import hashlib
import importlib
import os

from limits import parse as parse_limit

from mpanel.config import defaults
from mpanel.config.env import ENV_SETTINGS, ConfigError, parse_env


def load_config(overrides: dict | None = None, environ=None) -> dict:
    environ = os.environ if environ is None else environ
    values = {k: getattr(defaults, k) for k in dir(defaults) if k.isupper()}
    values.update(_override_file(environ))
    values.update(parse_env(environ))
    values.update(overrides or {})
    derive(values)
    validate(values)
    return values


def _override_file(environ) -> dict:
    """The thin ``config.py`` at the repository root (or MPANEL_CONFIG_MODULE)."""
    name = environ.get("MPANEL_CONFIG_MODULE", "config")
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return {}
    return {k: getattr(module, k) for k in dir(module) if k.isupper()}


def derive(values: dict) -> None:
    """Fill settings that follow from others."""
    values["SQLALCHEMY_DATABASE_URI"] = values["DATABASE_URL"]
    values["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(values)
    if not values.get("MIGRATION_DATABASE_URL"):
        values["MIGRATION_DATABASE_URL"] = values["DATABASE_URL"]
    if not values.get("BACKUP_DATABASE_URL"):
        values["BACKUP_DATABASE_URL"] = values["MIGRATION_DATABASE_URL"]
    values["SECRET_KEY"] = values["SECRET_KEY"] or defaults.DEVELOPMENT_SECRET_KEY
    if values.get("REDIS_URL") and values["RATELIMIT_STORAGE_URI"] == "memory://":
        values["RATELIMIT_STORAGE_URI"] = values["REDIS_URL"]
    values["BABEL_DEFAULT_LOCALE"] = values["DEFAULT_LOCALE"]
    if not values.get("HUEY_QUEUE"):
        values["HUEY_QUEUE"] = "mpanel-" + hashlib.sha256(values["DATABASE_URL"].encode()).hexdigest()[:12]


def _engine_options(values: dict) -> dict:
    options = {**values["SQLALCHEMY_ENGINE_OPTIONS"], "pool_size": values["DATABASE_POOL_SIZE"],
               "max_overflow": values["DATABASE_MAX_OVERFLOW"]}
    if not values["DATABASE_PREPARED_STATEMENTS"]:
        options["connect_args"] = {**options.get("connect_args", {}), "prepare_threshold": None}
    return options


def validate(values: dict) -> None:
    env = values["ENV"]
    if env not in ("development", "production", "testing"):
        raise ConfigError(f"MPANEL_ENV must be development, production or testing, not {env!r}")
    if env == "production":
        if values["SECRET_KEY"] == defaults.DEVELOPMENT_SECRET_KEY or len(values["SECRET_KEY"]) < 32:
            raise ConfigError("MPANEL_SECRET_KEY must be set to a random value of 32+ characters in production")
        if not values.get("DATABASE_URL") or values["DATABASE_URL"] == defaults.DATABASE_URL:
            raise ConfigError("MPANEL_DATABASE_URL must be set in production")
        if not values.get("REDIS_URL"):
            raise ConfigError("MPANEL_REDIS_URL must be set in production (rate limits and jobs)")
    if not values["DATABASE_URL"].startswith("postgresql"):
        raise ConfigError("MPANEL_DATABASE_URL must be a PostgreSQL URL (postgresql+psycopg://...)")
    for name in ("API_RATE_LIMIT", "API_ANONYMOUS_RATE_LIMIT", "LOGIN_RATE_LIMIT", "ACCOUNT_LOGIN_RATE_LIMIT"):
        try:
            parse_limit(values[name])
        except ValueError as exc:
            raise ConfigError(f"MPANEL_{name}={values[name]!r} is not a rate limit: {exc}") from None
    if values["STORAGE_BACKEND"] not in ("local", "s3"):
        raise ConfigError(f"MPANEL_STORAGE_BACKEND must be local or s3, not {values['STORAGE_BACKEND']!r}")
    if values["STORAGE_BACKEND"] == "s3" and not values["S3_BUCKET"]:
        raise ConfigError("MPANEL_S3_BUCKET must be set when MPANEL_STORAGE_BACKEND=s3")
    for name in ("ENABLED_PLUGINS",):
        if not isinstance(values[name], (list, tuple)):
            raise ConfigError(f"MPANEL_{name} must be a comma-separated list")


__all__ = ["ENV_SETTINGS", "ConfigError", "load_config"]
