"""GET /healthz reports the database: 200 when it answers, 503 when it does not."""

from __future__ import annotations

import shutil

import pytest

from models import open_database
from models.schema import migrate
from shopify_app import create_app
from tests import pg
from tests.conftest import app_config


def test_healthz_reports_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_sqlite_file_disappears(tmp_path):
    folder = tmp_path / "data"
    url = f"sqlite:///{folder}/sightline.db"
    database = open_database(url)
    with database.connection_context():
        migrate(database)
    client = create_app(app_config(url)).test_client()
    assert client.get("/healthz").status_code == 200
    shutil.rmtree(folder)
    folder.write_text("not a directory any more")  # the path can no longer be opened
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_healthz_is_503_when_the_postgresql_database_is_dropped():
    if pg.reachable():
        pytest.skip("PostgreSQL unreachable")
    name = pg.create_database("sightline_health")
    url = pg.url_for(name)
    try:
        database = open_database(url, pooled=False)
        with database.connection_context():
            migrate(database)
        client = create_app(app_config(url)).test_client()
        assert client.get("/healthz").status_code == 200
    finally:
        pg.drop_database(name)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "error" not in response.get_json()


def test_unknown_path_is_a_json_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "error" in response.get_json()
