"""Custom events of one shop: list, create, update, delete. Every change re-syncs the storefront
config; every query is scoped by the shop's domain (`app_id`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from peewee import IntegrityError

from models import CustomEvent, db
from models.database import is_postgresql
from models.locks import shop_write_lock
from shopify_app.custom_events.limits import check_config_size, check_room_for_one_more
from shopify_app.custom_events.validation import (
    TEXT_FIELDS,
    ValidationError,
    validate_custom_event,
)

NAME_TAKEN = {"name": "Event name already exists"}  # the seed's message
LOCK_SCOPE = "custom_events"  # creates and updates of one shop's events take turns (models.locks)
EDITABLE_FIELDS = (*TEXT_FIELDS, "scroll_depth", "event_data", "is_active")


MAX_ID = 2**63 - 1


class NameTakenError(ValidationError):
    """Another event of the shop has this name (the seed answers 400, not 422)."""

    def __init__(self) -> None:
        super().__init__(dict(NAME_TAKEN))


class CustomEventNotFoundError(LookupError):
    """No such event in this shop (another shop's events are never visible)."""


def list_events(app_id: str, *, active_only: bool = False) -> list[CustomEvent]:
    """Newest first."""
    query = CustomEvent.select().where(CustomEvent.app_id == app_id)
    if active_only:
        query = query.where(CustomEvent.is_active)
    return list(query.order_by(CustomEvent.created_at.desc(), CustomEvent.id.desc()))


def get_event(app_id: str, event_id: Any, *, for_update: bool = False) -> CustomEvent:
    pk = parse_id(event_id)
    if pk is None:
        raise CustomEventNotFoundError(event_id)
    query = CustomEvent.select().where((CustomEvent.id == pk) & (CustomEvent.app_id == app_id))
    if for_update and is_postgresql(db):
        query = query.for_update()
    event = query.first()
    if event is None:
        raise CustomEventNotFoundError(event_id)
    return event


def parse_id(value: Any) -> int | None:
    """A row id from JSON or a URL: an int (not a bool, not 1.9) or digits, within BIGINT."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, int) and 1 <= value <= MAX_ID:
        return value
    return None


def create_event(app_id: str, data: Mapping[str, Any]) -> CustomEvent:
    """Checks and insert in one transaction under the shop's write lock: simultaneous creates
    cannot pass the cap on events (or on the config's size) between a check and the insert."""
    clean = validate_custom_event(data)
    try:
        with shop_write_lock(app_id, LOCK_SCOPE):
            _ensure_name_free(app_id, clean["name"])
            check_room_for_one_more(app_id)
            event = CustomEvent.create(app_id=app_id, **clean)
            check_config_size(app_id)  # raising rolls the create back
            return event
    except IntegrityError:  # the unique index's word on the name, should a check miss one
        raise NameTakenError() from None


def update_event(app_id: str, event_id: Any, changes: Mapping[str, Any]) -> CustomEvent:
    """Apply `changes` over the stored event and validate the result as a whole."""
    with shop_write_lock(app_id, LOCK_SCOPE):  # two growing updates cannot both pass the size cap
        return _update_locked(app_id, event_id, changes)


def _update_locked(app_id: str, event_id: Any, changes: Mapping[str, Any]) -> CustomEvent:
    # Read, merge and write in one transaction; FOR UPDATE (PostgreSQL) makes concurrent partial
    # updates of one event apply one after the other instead of losing one.
    event = get_event(app_id, event_id, for_update=True)
    merged = {field: getattr(event, field) for field in EDITABLE_FIELDS}
    if "data" in changes and "event_data" not in changes:
        merged["event_data"] = changes["data"]
    merged.update({k: v for k, v in changes.items() if k in EDITABLE_FIELDS})
    if "name" not in changes and "display_name" in changes:
        merged["name"] = event.name  # renaming the label keeps the event's identity
    clean = validate_custom_event(merged)
    if clean["name"] != event.name:
        _ensure_name_free(app_id, clean["name"])
    for field, value in clean.items():
        setattr(event, field, value)
    try:
        with db.atomic():  # a savepoint: a name clash leaves the outer transaction usable
            event.save()
    except IntegrityError:
        raise NameTakenError() from None
    check_config_size(app_id)  # raising rolls the update back with the outer transaction
    return event


def delete_event(app_id: str, event_id: Any) -> None:
    event = get_event(app_id, event_id)
    CustomEvent.delete().where(
        (CustomEvent.id == event.id) & (CustomEvent.app_id == app_id)
    ).execute()


def _ensure_name_free(app_id: str, name: str) -> None:
    taken = CustomEvent.select().where((CustomEvent.app_id == app_id) & (CustomEvent.name == name))
    if taken.exists():
        raise NameTakenError()


def event_to_dict(event: CustomEvent) -> dict[str, Any]:
    """The API shape: the seed's fields first, then the rest."""
    return {
        "id": event.id,
        "name": event.name,
        "display_name": event.display_name,
        "selector": event.selector,
        "event_type": event.event_type,
        "page_type": event.page_type,
        "page_url": event.page_url,
        "data": event.event_data or {},
        "description": event.description,
        "scroll_depth": event.scroll_depth,
        "meta_event_name": event.meta_event_name,
        "is_active": event.is_active,
        "created_at": event.created_at.isoformat() + "Z",
        "updated_at": event.updated_at.isoformat() + "Z",
    }
