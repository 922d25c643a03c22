"""Peewee models, database setup and migrations. Imports nothing else of Sightline's."""

from models.analytics import (
    RollupAttribution,
    RollupDaily,
    RollupDimension,
    RollupDirtyDay,
    RollupHourly,
    RollupPage,
    RollupPath,
    RollupState,
    RollupToday,
    RollupTodayRow,
    Session,
    SessionEvent,
)
from models.base import utcnow
from models.compliance import CustomerDataRequest
from models.database import db, open_database
from models.deliveries import Delivery, DeliveryStatus
from models.events import CustomEvent, Event
from models.picker import PickerSession
from models.reconciliation import ReconciliationDay
from models.salts import FingerprintSalt
from models.settings import AppSettings
from models.shop import Shop, ShopState
from models.web_pixel import WebPixel
from models.webhooks import WebhookDelivery, WebhookStatus

ALL_MODELS = [
    CustomEvent,
    Event,
    AppSettings,
    Shop,
    WebhookDelivery,
    Delivery,
    FingerprintSalt,
    CustomerDataRequest,
    PickerSession,
    RollupDaily,
    RollupHourly,
    RollupDimension,
    RollupPage,
    Session,
    SessionEvent,
    RollupPath,
    RollupAttribution,
    RollupDirtyDay,
    RollupState,
    RollupToday,
    RollupTodayRow,
    ReconciliationDay,
    WebPixel,
]

__all__ = [
    "ALL_MODELS",
    "AppSettings",
    "CustomEvent",
    "CustomerDataRequest",
    "Delivery",
    "DeliveryStatus",
    "Event",
    "FingerprintSalt",
    "PickerSession",
    "ReconciliationDay",
    "RollupAttribution",
    "RollupDaily",
    "RollupDimension",
    "RollupDirtyDay",
    "RollupHourly",
    "RollupPage",
    "RollupPath",
    "RollupState",
    "RollupToday",
    "RollupTodayRow",
    "Session",
    "SessionEvent",
    "Shop",
    "ShopState",
    "WebPixel",
    "WebhookDelivery",
    "WebhookStatus",
    "db",
    "open_database",
    "utcnow",
]
