"""Settings from the environment, and the production guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopify_app.config import REQUIRED_IN_PRODUCTION, ConfigError, describe_mode, load_settings

PROJECT = Path(__file__).resolve().parents[1]

PRODUCTION_ENV = {
    "SIGHTLINE_ENV": "production",
    "SHOPIFY_API_KEY": "key",
    "SHOPIFY_API_SECRET": "secret",
    "SECRET_KEY": "session",
    "APP_URL": "https://sightline.example.com/",
    "TOKEN_ENCRYPTION_KEY": "dGVzdC1vbmx5LWtleS1mb3Itc2lnaHRsaW5lLXRlc3Q=",
}


def test_no_configuration_runs_on_sqlite_with_labelled_development_credentials():
    settings = load_settings({})
    # Anchored in the project's instance folder, not in whatever folder the command runs from.
    assert settings["DATABASE_URL"] == f"sqlite:///{PROJECT}/instance/sightline.db"
    assert settings["USING_DEV_CREDENTIALS"] is True
    assert "DEVELOPMENT credentials" in describe_mode(settings)


@pytest.mark.parametrize("missing", REQUIRED_IN_PRODUCTION)
def test_production_refuses_to_start_and_names_what_is_missing(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_settings(env)


def test_production_with_everything_set_uses_it():
    settings = load_settings(PRODUCTION_ENV)
    assert settings["SIGHTLINE_ENV"] == "production"
    assert settings["USING_DEV_CREDENTIALS"] is False
    assert settings["APP_URL"] == "https://sightline.example.com"


def test_mode_line_never_shows_a_database_password():
    settings = load_settings({"DATABASE_URL": "postgresql://app:hunter2@db.internal/sightline"})
    assert "hunter2" not in describe_mode(settings)


def test_mode_line_never_shows_a_password_given_as_a_query_parameter():
    settings = load_settings(
        {"DATABASE_URL": "postgresql://db.internal:5433/sightline?password=hunter2"}
    )
    line = describe_mode(settings)
    assert "hunter2" not in line and "db.internal:5433/sightline" in line


def test_instance_folder_can_be_moved():
    settings = load_settings({"SIGHTLINE_INSTANCE_DIR": "/var/lib/sightline"})
    assert settings["DATABASE_URL"] == "sqlite:////var/lib/sightline/sightline.db"


def test_mode_line_shows_a_sqlite_file_by_its_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = describe_mode(load_settings({"DATABASE_URL": "sqlite:///data/app.db"}))
    assert line.endswith(f"database sqlite:///{tmp_path}/data/app.db")


def test_event_retention_days_is_zero_or_at_least_a_week():
    from shopify_app.config import ConfigError, load_settings

    assert load_settings({})["EVENT_RETENTION_DAYS"] == 0
    assert load_settings({"EVENT_RETENTION_DAYS": "90"})["EVENT_RETENTION_DAYS"] == 90
    for bad in ("3", "-1", "ninety"):
        with pytest.raises(ConfigError, match="EVENT_RETENTION_DAYS"):
            load_settings({"EVENT_RETENTION_DAYS": bad})
