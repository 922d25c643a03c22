"""The app's web pixel on a shop, as the Admin API keeps it: `webPixelCreate`, `webPixelUpdate`
and `webPixel`, with settings checked against web_pixel/shopify.extension.toml as Shopify checks
them (every declared field, nothing else, the declared length bounds), and the `write_pixels` /
`read_customer_events` scopes required. One pixel per app and shop; uninstalling removes it
(it lives in the shop's `admin_api` section, which an uninstall drops)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from devstore.oauth import oauth_state
from devstore.state import DevstoreState

EXTENSION_TOML = Path(__file__).resolve().parent.parent / "web_pixel" / "shopify.extension.toml"
REQUIRED_SCOPES = ("write_pixels", "read_customer_events")


class AccessDeniedError(Exception):
    """Raised inside a resolver: graphql-core reports it as the field's error."""


def settings_fields() -> dict[str, dict[str, Any]]:
    with EXTENSION_TOML.open("rb") as handle:
        return tomllib.load(handle)["settings"]["fields"]


def current_pixel(state: DevstoreState, shop: str) -> dict[str, Any] | None:
    with state.lock:
        record = state.section("admin_api").setdefault(shop, {"metafields": {}}).get("web_pixel")
        return dict(record) if record else None


def _store(state: DevstoreState, shop: str, record: dict[str, Any]) -> None:
    with state.lock:
        state.section("admin_api").setdefault(shop, {"metafields": {}})["web_pixel"] = record


def _require_scopes(state: DevstoreState, shop: str, field: str) -> None:
    section = oauth_state(state)
    with state.lock:
        granted = set(str(section["shops"].get(shop, {}).get("scopes", "")).split(","))
    missing = [scope for scope in REQUIRED_SCOPES if scope not in granted]
    if missing:
        raise AccessDeniedError(
            f"Access denied for {field} field. Required access: `{'` and `'.join(missing)}`"
            " access scope."
        )


def _settings_errors(raw: Any) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    def error(message: str) -> list[dict[str, Any]]:
        return [{"field": ["webPixel", "settings"], "message": message, "code": "INVALID_SETTINGS"}]

    settings = raw
    if isinstance(raw, str):
        try:
            settings = json.loads(raw)
        except ValueError:
            return None, error("Settings is not valid JSON")
    if not isinstance(settings, dict):
        return None, error("Settings must be a JSON object")
    fields = settings_fields()
    unknown = sorted(set(settings) - set(fields))
    if unknown:
        return None, error(f"Settings has fields the extension does not declare: {unknown}")
    for name, spec in fields.items():
        value = settings.get(name)
        if not isinstance(value, str):
            return None, error(f"Settings field {name} is required and must be a string")
        for rule in spec.get("validations", []):
            bound = int(rule["value"])
            if rule["name"] == "min" and len(value) < bound:
                return None, error(f"Settings field {name} is shorter than {bound}")
            if rule["name"] == "max" and len(value) > bound:
                return None, error(f"Settings field {name} is longer than {bound}")
    return settings, []


def resolvers(state: DevstoreState, shop: str) -> dict[str, Any]:
    """Root fields for admin_api's schema."""

    def web_pixel(_info: Any, id: str | None = None) -> dict[str, Any] | None:
        _require_scopes(state, shop, "webPixel")
        record = current_pixel(state, shop)
        if record is None or (id is not None and id != record["id"]):
            return None
        return {"id": record["id"], "settings": json.dumps(record["settings"])}

    def create(_info: Any, webPixel: dict[str, Any]) -> dict[str, Any]:
        _require_scopes(state, shop, "webPixelCreate")
        if current_pixel(state, shop) is not None:
            return {
                "webPixel": None,
                "userErrors": [{"field": None, "message": "Web pixel is taken.", "code": "TAKEN"}],
            }
        settings, errors = _settings_errors(webPixel.get("settings"))
        if errors:
            return {"webPixel": None, "userErrors": errors}
        with state.lock:
            counter = state.section("web_pixel_ids")
            counter["next"] = counter.get("next", 0) + 1
            pixel_id = f"gid://shopify/WebPixel/{counter['next']}"
        _store(state, shop, {"id": pixel_id, "settings": settings})
        return {"webPixel": {"id": pixel_id, "settings": json.dumps(settings)}, "userErrors": []}

    def update(_info: Any, id: str, webPixel: dict[str, Any]) -> dict[str, Any]:
        _require_scopes(state, shop, "webPixelUpdate")
        record = current_pixel(state, shop)
        if record is None or record["id"] != id:
            return {
                "webPixel": None,
                "userErrors": [
                    {"field": ["id"], "message": "Web pixel not found.", "code": "NOT_FOUND"}
                ],
            }
        settings, errors = _settings_errors(webPixel.get("settings"))
        if errors:
            return {"webPixel": None, "userErrors": errors}
        _store(state, shop, {"id": id, "settings": settings})
        return {"webPixel": {"id": id, "settings": json.dumps(settings)}, "userErrors": []}

    return {"webPixel": web_pixel, "webPixelCreate": create, "webPixelUpdate": update}
