"""City lookup from a user-supplied .mmdb (GEOIP_CITY_DB), in both layouts we read."""

from __future__ import annotations

from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from models import Event
from models import db as db_proxy
from shopify_app import create_app
from shopify_app.ingest.enrich import enrich
from tests.conftest import app_config, release
from tests.ingest.proxy_client import CHROME as UA
from tests.ingest.proxy_client import batch, event, post_track


def write_mmdb(path: Path, records: dict[str, dict]) -> str:
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoIP2-City")
    for network, record in records.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return str(path)


@pytest.fixture
def city_db(tmp_path: Path) -> str:
    return write_mmdb(
        tmp_path / "city.mmdb",
        {
            # MaxMind GeoIP2/GeoLite2 layout.
            "81.2.69.0/24": {"country": {"iso_code": "GB"}, "city": {"names": {"en": "London"}}},
            # ip-location-db (DB-IP lite) flat layout.
            "2001:db8::/32": {"country_code": "de", "city": "Berlin"},
        },
    )


def test_city_and_country_come_from_the_city_database(city_db):
    london = enrich(UA, "81.2.69.142", record_location=True, geoip_city_db=city_db)
    berlin = enrich(UA, "2001:db8::7", record_location=True, geoip_city_db=city_db)
    assert (london["country"], london["city"]) == ("GB", "London")
    assert (berlin["country"], berlin["city"]) == ("DE", "Berlin")


def test_addresses_outside_the_city_database_still_get_a_country(city_db):
    google = enrich(UA, "8.8.8.8", record_location=True, geoip_city_db=city_db)
    assert (google["country"], google["city"]) == ("US", None)


def test_record_location_off_stores_no_city_even_with_a_database(city_db):
    result = enrich(UA, "81.2.69.142", record_location=False, geoip_city_db=city_db)
    assert (result["ip_address"], result["country"], result["city"]) == (None, None, None)


def test_stored_storefront_events_carry_the_city(database_url, city_db):
    app = create_app(app_config(database_url, GEOIP_CITY_DB=city_db))
    try:
        response = post_track(app.test_client(), batch(event()), ip="81.2.69.142")
        assert response.get_json()["accepted"] == 1
        with app.app_context():
            stored = Event.get()
        assert (stored.country, stored.city) == ("GB", "London")
    finally:
        release(db_proxy.obj)
