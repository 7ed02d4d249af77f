import pytest

from mpanel.config import ConfigError, load_config


def test_production_without_secret_key_stops_and_names_the_variable():
    with pytest.raises(ConfigError, match="MPANEL_SECRET_KEY"):
        load_config(environ={"MPANEL_ENV": "production",
                             "MPANEL_DATABASE_URL": "postgresql+psycopg://app@db/mpanel",
                             "MPANEL_REDIS_URL": "redis://r"})


def test_environment_overrides_defaults_and_is_typed():
    values = load_config(environ={"MPANEL_JWT_ACCESS_MINUTES": "5", "MPANEL_HUEY_IMMEDIATE": "true",
                                  "MPANEL_ENABLED_PLUGINS": "catalog, billing"})
    assert values["JWT_ACCESS_MINUTES"] == 5
    assert values["HUEY_IMMEDIATE"] is True
    assert values["ENABLED_PLUGINS"] == ["catalog", "billing"]
    assert values["MIGRATION_DATABASE_URL"] == values["DATABASE_URL"]


def test_bad_value_names_the_variable():
    with pytest.raises(ConfigError, match="MPANEL_JWT_ACCESS_MINUTES"):
        load_config(environ={"MPANEL_JWT_ACCESS_MINUTES": "soon"})
    with pytest.raises(ConfigError, match="MPANEL_DATABASE_URL"):
        load_config(environ={"MPANEL_DATABASE_URL": "sqlite:///x.db"})
