"""`sightline` as an operator runs it: clear one-line errors, a working migrate."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from models import Shop, open_database
from models.crypto import configure_cipher, generate_key
from models.schema import migrate
from tests.conftest import TEST_ENCRYPTION_KEY


def run_cli(*args: str, env: dict[str, str], cwd: str) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "SIGHTLINE"))
    }
    # Local files in the test's folder, never the checkout's own instance folder.
    full_env["SIGHTLINE_INSTANCE_DIR"] = str(Path(cwd) / "instance")
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "shopify_app.cli", *args],
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and fragment in errors[0], result.stderr


def test_migrate_then_migrate_again_on_a_fresh_sqlite_file(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/new/sightline.db"}
    first = run_cli("migrate", env=env, cwd=str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert "0002_shops_webhooks_outbox" in first.stdout
    second = run_cli("migrate", env=env, cwd=str(tmp_path))
    assert "schema is up to date" in second.stdout


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("mysql://root@localhost/x", "must start with sqlite:///"),
        ("sqlite://", "sqlite:///path"),
        ("postgresql://postgres@127.0.0.1:1/nothing", "cannot reach the database"),
    ],
)
def test_bad_database_url_is_one_clear_line(tmp_path, url, fragment):
    assert_one_line_error(run_cli("serve", env={"DATABASE_URL": url}, cwd=str(tmp_path)), fragment)


def test_serve_refuses_an_unmigrated_database(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite"}
    assert_one_line_error(run_cli("serve", env=env, cwd=str(tmp_path)), "run `sightline migrate`")


def test_malformed_encryption_key_is_one_clear_line(tmp_path):
    result = run_cli("serve", env={"TOKEN_ENCRYPTION_KEY": "not-a-key"}, cwd=str(tmp_path))
    assert_one_line_error(result, "not a valid Fernet key")


def test_encryption_key_that_cannot_read_stored_tokens_stops_start_up(tmp_path):
    url = f"sqlite:///{tmp_path}/db.sqlite"
    database = open_database(url)
    configure_cipher(TEST_ENCRYPTION_KEY)
    from models import db

    db.initialize(database)
    with database.connection_context():
        migrate(database)
        Shop.create(domain="acme.myshopify.com", access_token="shpat_secret")
    result = run_cli(
        "serve",
        env={"DATABASE_URL": url, "TOKEN_ENCRYPTION_KEY": generate_key()},
        cwd=str(tmp_path),
    )
    assert_one_line_error(result, "cannot be decrypted")


def test_production_without_secrets_names_them(tmp_path):
    result = run_cli("serve", env={"SIGHTLINE_ENV": "production"}, cwd=str(tmp_path))
    assert_one_line_error(result, "SHOPIFY_API_SECRET")


def test_default_database_is_the_same_file_from_any_folder(tmp_path):
    instance = tmp_path / "instance"
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    env = {"SIGHTLINE_INSTANCE_DIR": str(instance)}
    for cwd in (tmp_path, elsewhere):
        result = run_cli("migrate", env=env, cwd=str(cwd))
        assert result.returncode == 0, result.stderr
        # The first line names the file by its absolute path.
        first = result.stdout.splitlines()[0]
        assert first.endswith(f"database sqlite:///{instance}/sightline.db"), first
    assert (instance / "sightline.db").exists()
    assert "schema is up to date" in result.stdout  # the second run found the first's file
    assert list(elsewhere.iterdir()) == [] and not (tmp_path / "sightline.db").exists()


def test_without_settings_the_database_is_in_the_project_instance_folder(tmp_path):
    # Resolved only (nothing opened): a test must not touch the checkout's own database.
    project = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "SIGHTLINE"))}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from flask import Flask; from shopify_app.config import load_settings; "
            "print(load_settings()['DATABASE_URL']); print(Flask('shopify_app').instance_path)",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    url, instance_path = result.stdout.splitlines()[-2:]
    assert url == f"sqlite:///{project}/instance/sightline.db"
    assert instance_path == str(project / "instance")  # the folder Flask itself would use
