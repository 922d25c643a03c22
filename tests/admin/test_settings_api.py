"""The settings API: validation, the write-only token, toggles and isolation."""

from __future__ import annotations

import pytest

from models import AppSettings


def test_defaults_before_anything_is_saved(shop_a):
    settings = shop_a.get("/api/settings").get_json()["settings"]
    assert settings["pixel_id"] is None and settings["access_token"]["set"] is False
    seed_toggles = ("custom_events_enabled", "track_pageviews", "track_clicks", "record_location")
    assert all(settings[toggle] is True for toggle in seed_toggles)
    assert settings["send_to_meta"] is False


def test_token_is_stored_encrypted_and_only_ever_returned_masked(shop_a, db):
    response = shop_a.put(
        "/api/settings",
        {
            "pixel_id": "123456789012345",
            "access_token": "EAAB-secret-token-9xYz",
            "token_expires_at": "2030-01-01",
        },
    )
    assert response.status_code == 200
    assert "EAAB-secret-token" not in response.get_data(as_text=True)
    token = response.get_json()["settings"]["access_token"]
    assert (
        token["set"]
        and token["masked"].endswith("9xYz")
        and token["expires_at"].startswith("2030-01-01")
    )
    assert "EAAB-secret-token" not in shop_a.get("/api/settings").get_data(as_text=True)
    (raw,) = db.execute_sql("SELECT access_token FROM app_settings").fetchone()
    assert "EAAB-secret-token" not in raw
    assert AppSettings.get().access_token == "EAAB-secret-token-9xYz"


def test_saving_without_a_token_keeps_the_stored_one(shop_a):
    shop_a.put("/api/settings", {"access_token": "EAAB-keep-me-1234"})
    shop_a.put("/api/settings", {"pixel_id": "1234567", "access_token": ""})
    assert AppSettings.get().access_token == "EAAB-keep-me-1234"


def test_expired_token_is_flagged(shop_a):
    shop_a.put(
        "/api/settings", {"access_token": "EAAB-old-token-0000", "token_expires_at": "2020-01-01"}
    )
    assert shop_a.get("/api/settings").get_json()["settings"]["access_token"]["expired"] is True


def test_toggles_are_saved(shop_a):
    change = {
        "custom_events_enabled": False,
        "track_pageviews": False,
        "track_clicks": False,
        "record_location": False,
        "send_to_meta": True,
    }
    reply = shop_a.put("/api/settings", change).get_json()
    assert reply["success"] is True
    settings = shop_a.get("/api/settings").get_json()["settings"]
    assert {k: settings[k] for k in change} == change


@pytest.mark.parametrize("name", ["tracking_enabled", "track_page_views", "trackClicks"])
def test_unknown_toggle_names_are_422_and_change_nothing(shop_a, name):
    response = shop_a.put("/api/settings", {name: False, "record_location": False})
    body = response.get_json()
    assert response.status_code == 422 and body["field"] == name
    assert body["success"] is False and body["error"]
    assert shop_a.get("/api/settings").get_json()["settings"]["record_location"] is True


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("pixel_id", {"pixel_id": "12ab34"}),
        ("pixel_id", {"pixel_id": "1234"}),
        ("token_expires_at", {"token_expires_at": "next week"}),
        ("token_expires_at", {"token_expires_at": "0001-01-01T00:00:00+01:00"}),
        ("token_expires_at", {"token_expires_at": "9999-12-31T23:59:59-01:00"}),
        ("access_token", {"access_token": "has spaces in it"}),
        ("send_to_meta", {"send_to_meta": ["yes"]}),
    ],
)
def test_invalid_settings_are_422_and_change_nothing(shop_a, field, change):
    shop_a.put("/api/settings", {"pixel_id": "1234567"})
    response = shop_a.put("/api/settings", {**change, "record_location": False})
    assert response.status_code == 422 and response.get_json()["field"] == field
    assert response.get_json()["success"] is False
    stored = AppSettings.get()
    assert stored.pixel_id == "1234567" and stored.record_location is True


def test_settings_are_per_shop(shop_a, shop_b):
    shop_a.put("/api/settings", {"pixel_id": "1234567", "access_token": "EAAB-a-token-aaaa"})
    settings_b = shop_b.get("/api/settings").get_json()["settings"]
    assert settings_b["pixel_id"] is None and settings_b["access_token"]["set"] is False
