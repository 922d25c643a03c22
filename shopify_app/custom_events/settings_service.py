"""Shop settings: the Meta pixel, its access token (write-only, encrypted) and the toggles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from models import AppSettings, db, utcnow
from shopify_app.custom_events.validation import META_OPTIONS, SETTINGS_TOGGLES, validate_settings

TOKEN_WARNING_DAYS = 7


def get_settings(app_id: str) -> AppSettings:
    """The shop's settings, or unsaved defaults when it has none yet."""
    return AppSettings.get_or_none(AppSettings.app_id == app_id) or AppSettings(app_id=app_id)


def update_settings(app_id: str, data: Mapping[str, Any]) -> AppSettings:
    clean = validate_settings(data)
    with db.atomic():
        settings = get_settings(app_id)
        renewed = _credentials_change(settings, clean)
        for field, value in clean.items():
            setattr(settings, field, value)
        if renewed:
            # Deliveries paused because Meta refused the token resume with the new one.
            settings.meta_paused_at = None
            settings.meta_pause_reason = None
        settings.save()
    return settings


def _credentials_change(settings: AppSettings, clean: Mapping[str, Any]) -> bool:
    """A new token, another pixel or a new expiry: what a pause (190, expiry) waited for."""
    return any(
        field in clean and clean[field] != getattr(settings, field)
        for field in ("access_token", "pixel_id", "token_expires_at")
    )


def mask_token(token: str | None) -> str | None:
    if not token:
        return None
    return "••••••••" + (token[-4:] if len(token) >= 12 else "")


def settings_to_dict(settings: AppSettings, now: dt.datetime | None = None) -> dict[str, Any]:
    """The API shape. The access token itself never leaves the server."""
    now = now or utcnow()
    expires = settings.token_expires_at
    days_left = (expires - now).days if expires else None
    return {
        "pixel_id": settings.pixel_id,
        "access_token": {
            "set": bool(settings.access_token),
            "masked": mask_token(settings.access_token),
            "expires_at": expires.isoformat() + "Z" if expires else None,
            "expired": bool(expires and expires <= now),
            "expires_soon": bool(
                expires and days_left is not None and days_left < TOKEN_WARNING_DAYS
            ),
        },
        "token_expires_at": expires.isoformat() + "Z" if expires else None,
        **{toggle: getattr(settings, toggle) for toggle in SETTINGS_TOGGLES},
        **{option: getattr(settings, option) for option in META_OPTIONS},
        "meta_paused": bool(settings.meta_paused_at),
        "meta_pause_reason": settings.meta_pause_reason,
    }
