"""Shopify's standard pixel events, checked against the documented payloads and turned into
events rows (`NewEvent`s for ingest's writer).

Each event is checked on its own: one that does not match Shopify's schema is rejected with its
reason, the others are kept. Stored ids are `px:<Shopify's event id>`: a resent batch stores
nothing twice, and (with the `:`) no storefront id can take one.

`checkout_completed` is stored as itself, never as a `purchase`: the order webhook's purchase is
the one reports count. Its Meta copy is a `Purchase` whose event id is the order's
(`order:<id>`, as the webhook's), so Meta counts the browser and server copies once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from shopify_app.ingest.validate import ISO_CURRENCIES, MAX_URL_LENGTH
from webhooks.attribution import CART_ATTRIBUTES, COLUMN_WIDTH, CONSENT_ATTRIBUTE
from webhooks.identity import user_data

CHECKOUT_EVENTS = (
    "checkout_started",
    "checkout_contact_info_submitted",
    "checkout_address_info_submitted",
    "checkout_shipping_info_submitted",
    "payment_info_submitted",
    "checkout_completed",
)
OTHER_EVENTS = ("product_viewed", "product_added_to_cart", "search_submitted")
EVENT_NAMES = frozenset(CHECKOUT_EVENTS + OTHER_EVENTS)
# Meta's standard events for the pixel's events (sent when the shop sends to Meta).
META_EVENTS = {
    "checkout_started": "InitiateCheckout",
    "payment_info_submitted": "AddPaymentInfo",
    "checkout_completed": "Purchase",
    "product_viewed": "ViewContent",
    "product_added_to_cart": "AddToCart",
    "search_submitted": "Search",
}
SHOPIFY_ID = re.compile(r"[A-Za-z0-9_-]{1,60}")
ID_PREFIX = "px:"
MAX_VALUE = Decimal("1e12")
MAX_TEXT = 255


@dataclass
class PixelEvent:
    """One valid event: what goes into the events row, and its Meta name."""

    event_id: str
    name: str
    url: str
    referrer: str | None
    marketing: bool | None
    value: Decimal | None
    currency: str | None
    order_id: str | None
    customer_id: str | None
    attribution: dict[str, str]
    consent_attribute: bool | None  # what the storefront wrote into the cart, if anything
    data: dict[str, Any]

    @property
    def meta_event_name(self) -> str | None:
        return META_EVENTS.get(self.name)


def parse_event(raw: Any) -> PixelEvent:
    """The event, or ValueError saying what does not match Shopify's payload."""
    if not isinstance(raw, dict):
        raise ValueError("event must be an object")
    name = raw.get("name")
    if name not in EVENT_NAMES:
        raise ValueError("name is not one of the pixel's events")
    shopify_id = raw.get("id")
    if not isinstance(shopify_id, str) or not SHOPIFY_ID.fullmatch(shopify_id):
        raise ValueError("id must be Shopify's event id")
    url = _url(raw.get("url"))
    if url is None:
        raise ValueError("url must be the page's http(s) URL")
    marketing = raw.get("marketing")
    data = raw.get("data")
    if not isinstance(data, dict):
        raise ValueError("data must be an object")
    parsed = PixelEvent(
        event_id=ID_PREFIX + shopify_id,
        name=name,
        url=url,
        referrer=_url(raw.get("referrer")),
        marketing=marketing if isinstance(marketing, bool) else None,
        value=None,
        currency=None,
        order_id=None,
        customer_id=None,
        attribution={},
        consent_attribute=None,
        data={},
    )
    if name in CHECKOUT_EVENTS:
        _checkout(parsed, data.get("checkout"))
    elif name == "product_viewed":
        _variant(parsed, data.get("productVariant"), "data.productVariant")
    elif name == "product_added_to_cart":
        _cart_line(parsed, data.get("cartLine"))
    else:
        _search(parsed, data.get("searchResult"))
    if name not in CHECKOUT_EVENTS:
        _attributes(parsed, raw.get("cart_attributes"), strict=False)
    return parsed


def _checkout(event: PixelEvent, checkout: Any) -> None:
    if not isinstance(checkout, dict):
        raise ValueError("data.checkout must be an object")
    event.currency = _currency(checkout.get("currencyCode"), "data.checkout.currencyCode")
    total = checkout.get("totalPrice")
    if total is not None:
        event.value = _money(total, "data.checkout.totalPrice")
    items = checkout.get("lineItems")
    if not isinstance(items, list):
        raise ValueError("data.checkout.lineItems must be a list")
    lines = [_line_item(item, index) for index, item in enumerate(items[:250])]
    _attributes(event, checkout.get("attributes"), strict=True)
    event.data = {
        "checkout_token": _text(checkout.get("token")),
        "line_items": lines,
        "num_items": sum(line["quantity"] for line in lines),
    }
    contact = _identity(checkout)
    if contact:
        event.data["user_data"] = contact
    if event.name == "checkout_completed":
        order = checkout.get("order")
        order_id = _order_id(order.get("id") if isinstance(order, dict) else None)
        if order_id is None:
            raise ValueError("data.checkout.order.id is required on checkout_completed")
        if event.value is None:
            raise ValueError("data.checkout.totalPrice is required on checkout_completed")
        event.order_id = order_id
        customer = order.get("customer") if isinstance(order.get("customer"), dict) else {}
        event.customer_id = _order_id(customer.get("id"))


def _line_item(item: Any, index: int) -> dict[str, Any]:
    where = f"data.checkout.lineItems[{index}]"
    if not isinstance(item, dict):
        raise ValueError(f"{where} must be an object")
    quantity = item.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise ValueError(f"{where}.quantity must be a whole number")
    variant = item.get("variant") if isinstance(item.get("variant"), dict) else {}
    product = variant.get("product") if isinstance(variant.get("product"), dict) else {}
    price = variant.get("price")
    return {
        "product_id": _order_id(product.get("id")),
        "variant_id": _order_id(variant.get("id")),
        "sku": _text(variant.get("sku")),
        "title": _text(item.get("title")) or _text(product.get("title")),
        "quantity": quantity,
        "price": str(_money(price, f"{where}.variant.price")) if price is not None else None,
    }


def _variant(event: PixelEvent, variant: Any, where: str) -> None:
    if not isinstance(variant, dict):
        raise ValueError(f"{where} must be an object")
    price = variant.get("price")
    if not isinstance(price, dict):
        raise ValueError(f"{where}.price must be a MoneyV2 object")
    event.value = _money(price, f"{where}.price")
    event.currency = _currency(price.get("currencyCode"), f"{where}.price.currencyCode")
    product = variant.get("product") if isinstance(variant.get("product"), dict) else {}
    product_id = _order_id(product.get("id"))
    event.data = {
        "content_ids": [product_id] if product_id else [],
        "content_type": "product",
        "content_name": _text(product.get("title")),
        "variant_id": _order_id(variant.get("id")),
    }


def _cart_line(event: PixelEvent, line: Any) -> None:
    if not isinstance(line, dict):
        raise ValueError("data.cartLine must be an object")
    quantity = line.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValueError("data.cartLine.quantity must be a whole number of at least 1")
    _variant(event, line.get("merchandise"), "data.cartLine.merchandise")
    cost = line.get("cost") if isinstance(line.get("cost"), dict) else {}
    if isinstance(cost.get("totalAmount"), dict):
        event.value = _money(cost["totalAmount"], "data.cartLine.cost.totalAmount")
    event.data["num_items"] = quantity


def _search(event: PixelEvent, result: Any) -> None:
    if not isinstance(result, dict) or not isinstance(result.get("query"), str):
        raise ValueError("data.searchResult.query must be a string")
    event.data = {"search_string": result["query"][:MAX_TEXT]}


def _attributes(event: PixelEvent, raw: Any, *, strict: bool) -> None:
    """Session and attribution the storefront tracker wrote into the cart's attributes
    (Shopify's `Attribute` list: `{key, value}`), by the same names the order webhook reads."""
    if raw is None:
        return
    if not isinstance(raw, list) or not all(isinstance(a, dict) for a in raw):
        if strict:
            raise ValueError("data.checkout.attributes must be a list of {key, value}")
        return
    found: dict[str, str] = {}
    for attribute in raw:
        key, value = attribute.get("key"), attribute.get("value")
        if isinstance(key, str) and isinstance(value, str) and value:
            found.setdefault(key, value)
    for column, name in CART_ATTRIBUTES.items():
        value = _text(found.get(name), COLUMN_WIDTH.get(column, MAX_TEXT))
        if value:
            event.attribution[column] = value
    consent = found.get(CONSENT_ATTRIBUTE)
    if consent is not None:
        event.consent_attribute = consent.strip().lower() in ("1", "true", "yes", "granted")


def _identity(checkout: dict[str, Any]) -> dict[str, str]:
    """The shopper's contact details, hashed as Meta requires (never stored in clear)."""
    address = checkout.get("billingAddress") or checkout.get("shippingAddress")
    address = address if isinstance(address, dict) else {}
    order_like = {
        "email": checkout.get("email"),
        "phone": checkout.get("phone"),
        "billing_address": {
            "first_name": address.get("firstName"),
            "last_name": address.get("lastName"),
            "city": address.get("city"),
            "province_code": address.get("provinceCode"),
            "zip": address.get("zip"),
            "country_code": address.get("countryCode"),
            "phone": address.get("phone"),
        },
    }
    return user_data(order_like)


def _money(raw: Any, where: str) -> Decimal:
    amount = raw.get("amount") if isinstance(raw, dict) else None
    if isinstance(amount, bool) or not isinstance(amount, int | float | str):
        raise ValueError(f"{where}.amount must be a number")
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValueError(f"{where}.amount must be a number") from None
    if not value.is_finite() or not 0 <= value < MAX_VALUE:
        raise ValueError(f"{where}.amount must be between 0 and 10^12")
    return value.quantize(Decimal("0.01"))


def _currency(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or raw not in ISO_CURRENCIES:
        raise ValueError(f"{where} must be an ISO 4217 code")
    return raw


def _order_id(raw: Any) -> str | None:
    """A Shopify id as its number, from `123` or `gid://shopify/Order/123`."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return str(raw)
    if isinstance(raw, str):
        tail = raw.rsplit("/", 1)[-1]
        if tail.isdigit() and len(tail) <= 32:
            return tail
    return None


def _text(raw: Any, width: int = MAX_TEXT) -> str | None:
    if not isinstance(raw, str) or not raw or "\0" in raw:
        return None
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return raw[:width]


def _url(raw: Any) -> str | None:
    text = _text(raw, MAX_URL_LENGTH + 1)
    if text is None or len(text) > MAX_URL_LENGTH or any(c in text for c in "\r\n"):
        return None
    return text if re.match(r"https?://[^/\s]+", text) else None
