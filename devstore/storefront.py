"""A storefront at `/{shop}/...`: index, product, collection, cart and content pages (in one of
the page structures of devstore.themes, chosen per shop or per request) whose
<head> carries our app embed rendered with python-liquid from the shop's `sightline.config`
metafield, Shopify's deferred loading of the block's JavaScript, a stand-in for the Customer
Privacy API, the cart Ajax API (`/cart.js`, `/cart/add.js`, `/cart/update.js`) kept per browser
cookie, and the app's web pixel with Shopify's standard storefront events (devstore.pixel_host,
devstore.storefront_events)."""

from __future__ import annotations

import html
import json
import secrets
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, redirect, request, send_from_directory

from devstore import themes
from devstore.liquid_env import EXTENSION_DIR, load_block, make_environment
from devstore.metafields import read_metafield, shop_metafields
from devstore.pixel_host import pixel_host, pixel_init
from devstore.proxy import CUSTOMER_COOKIE
from devstore.state import DevstoreState
from devstore.storefront_events import VARIANT, events_script, page_events, product_variant

bp = Blueprint("devstore_storefront", __name__)

CART_COOKIE = "cart"  # Shopify's cart token cookie
CONSENT_COOKIE = "devstore_consent"  # granted | denied | analytics | pending; absent = no banner
CONSENT_STATES = {
    "granted": (True, True),
    "denied": (False, False),
    "analytics": (True, False),
    "pending": (False, False),
}
PRODUCT = {"id": 8001, "handle": "red-shoes", "title": "Red shoes", "price": 4990}
CURRENCY = "EUR"


def _state() -> DevstoreState:
    return current_app.extensions["devstore"]


def set_config_metafield(state: DevstoreState, shop: str, config: dict[str, Any]) -> None:
    """Write `sightline.config` as the app would through metafieldsSet (for tests and demos)."""
    with state.lock:
        shop_metafields(state, shop)[("sightline", "config")] = {
            "id": "gid://shopify/Metafield/1",
            "namespace": "sightline",
            "key": "config",
            "type": "json",
            "value": json.dumps(config),
        }


def carts(state: DevstoreState) -> dict[str, dict[str, Any]]:
    with state.lock:
        return state.section("carts")


def client_id(cart: dict[str, Any]) -> str:
    """The browser's id in pixel events (Shopify's comes from a cookie; the cart's is one)."""
    return "devstore-client-" + cart["token"][:8]


# ---- pages --------------------------------------------------------------------------------

SHOPIFY_STUB = """<script>
window.Shopify = window.Shopify || {};
Shopify.shop = %(shop)s;
(function () {
  var state = %(consent)s;
  // Stand-in for Shopify's Customer Privacy API (consent-tracking-api 0.1).
  Shopify.loadFeatures = function (features, callback) {
    setTimeout(function () {
      Shopify.customerPrivacy = {
        analyticsProcessingAllowed: function () { return state[0]; },
        marketingAllowed: function () { return state[1]; },
        setTrackingConsent: function (choice, done) {
          state = [!!choice.analytics, !!choice.marketing];
          var name = state[0] ? (state[1] ? "granted" : "analytics") : "denied";
          document.cookie = "devstore_consent=" + name + "; path=/";
          document.dispatchEvent(new CustomEvent("visitorConsentCollected", {detail: {
            analyticsAllowed: state[0], marketingAllowed: state[1]}}));
          if (done) done();
        }
      };
      callback(null);
    }, 0);
  };
})();
</script>"""


@bp.get("/<shop>/")
def index(shop: str) -> Response:
    return _page(shop, "index")


@bp.get("/<shop>/products/<handle>")
def product(shop: str, handle: str) -> Response:
    return _page(shop, "product", product=PRODUCT)


@bp.get("/<shop>/collections/<handle>")
def collection(shop: str, handle: str) -> Response:
    return _page(shop, "collection")


@bp.get("/<shop>/cart")
def cart_page(shop: str) -> Response:
    return _page(shop, "cart")


@bp.get("/<shop>/search")
def search(shop: str) -> Response:
    return _page(shop, "search")


@bp.get("/<shop>/pages/<handle>")
def content_page(shop: str, handle: str) -> Response:
    return _page(shop, "page")


@bp.route("/<shop>/contact", methods=["GET", "POST"])
def contact(shop: str) -> Response:
    return _page(shop, "page")


@bp.get("/<shop>/account/login")
def login(shop: str) -> Response:
    """A fake customer sign-in: `?customer_id=123` makes the shopper that customer."""
    response = redirect(f"/{shop}/")
    response.set_cookie(CUSTOMER_COOKIE, request.args.get("customer_id", ""), path="/")
    return response


@bp.get("/extensions/sightline/assets/<path:name>")
def asset(name: str) -> Response:
    return send_from_directory(EXTENSION_DIR / "assets", name, max_age=0)


def _page(shop: str, page_type: str, product: dict[str, Any] | None = None) -> Response:
    root = f"/{shop}/"
    page = themes.render(_theme(shop), page_type, root, product)
    cart = _cart(create=False)
    head = _app_embed(shop, page_type, root, product, cart)
    consent = CONSENT_STATES.get(request.cookies.get(CONSENT_COOKIE, ""), (True, True))
    stub = SHOPIFY_STUB % {"shop": json.dumps(shop), "consent": json.dumps(list(consent))}
    with _state().lock:  # a merchant's own code in theme.liquid, e.g. another Meta pixel
        snippet = str(_state().section("theme_snippets").get(shop, ""))
    document = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(page.title)}</title>"
        f"{page.head}{stub}{snippet}{head}</head><body>{page.body}"
        f"{_pixel_events(shop, page_type, cart, consent)}</body></html>"
    )
    return Response(document, content_type="text/html; charset=utf-8")


def _pixel_events(
    shop: str, page_type: str, cart: dict[str, Any], consent: tuple[bool, bool]
) -> str:
    """The app's web pixel on this page and the standard events Shopify publishes to it."""
    attributes = [{"key": k, "value": v} for k, v in cart["attributes"].items()]
    init = pixel_init(shop, cart, consent, attributes)
    host = pixel_host(_state(), shop, init, client_id(cart), analytics=consent[0])
    has_cart = cart["token"] in carts(_state())
    query = request.args.get("q")
    events = page_events(page_type, PRODUCT, CURRENCY, cart if has_cart else None, query)
    variant = product_variant(PRODUCT, CURRENCY) if page_type == "product" else None
    return host + events_script(shop, events, variant)


def _theme(shop: str) -> str:
    """`?theme=` for this request, else the shop's devstore setting, else basic."""
    asked = request.args.get("theme")
    if asked in themes.THEMES:
        return asked
    with _state().lock:
        return str(_state().section("themes").get(shop, "basic"))


@bp.post("/_devstore/shops/<shop>/theme")
def set_theme(shop: str) -> Response:
    """`{"theme": "dawn"}`: which page structure this shop's storefront serves."""
    body = request.get_json(silent=True)
    theme = body.get("theme") if isinstance(body, dict) else None
    if theme not in themes.THEMES:
        return jsonify(error="theme must be one of " + ", ".join(themes.THEMES)), 422
    with _state().lock:
        _state().section("themes")[shop] = theme
    return jsonify(shop=shop, theme=theme)


@bp.post("/_devstore/shops/<shop>/theme-snippet")
def set_theme_snippet(shop: str) -> Response:
    """`{"html": "<script>...</script>"}`: code the merchant pasted into theme.liquid's head."""
    body = request.get_json(silent=True)
    snippet = body.get("html") if isinstance(body, dict) else None
    if not isinstance(snippet, str):
        return jsonify(error='send {"html": "..."}'), 422
    with _state().lock:
        _state().section("theme_snippets")[shop] = snippet
    return jsonify(shop=shop, bytes=len(snippet))


def _app_embed(
    shop: str, page_type: str, root: str, product: dict[str, Any] | None, cart: dict[str, Any]
) -> str:
    template, schema = load_block(make_environment(request.host_url.rstrip("/")))
    record = read_metafield(_state(), shop, "sightline", "config")
    customer = request.cookies.get(CUSTOMER_COOKIE)
    rendered = template.render(
        app={"metafields": {"sightline": {"config": _metafield(record)}}},
        routes={"root_url": root},
        shop={"permanent_domain": shop},
        request={"page_type": page_type, "path": request.path},
        customer={"id": int(customer)} if customer and customer.isdigit() else None,
        product=product,
        cart={
            "item_count": cart["item_count"],
            "total_price": cart["total_price"],
            "currency": {"iso_code": CURRENCY},
        },
    )
    # Shopify adds the block's schema "javascript" asset itself, deferred.
    script = schema.get("javascript")
    asset_url = f"{request.host_url.rstrip('/')}/extensions/sightline/assets/{script}"
    return rendered + (f'<script src="{asset_url}" defer></script>' if script else "")


def _metafield(record: dict[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    value = json.loads(record["value"]) if record.get("type") == "json" else record["value"]
    return {"value": value, "type": record.get("type")}


# ---- cart Ajax API ------------------------------------------------------------------------


@bp.get("/<shop>/cart.js")
def cart_js(shop: str) -> Response:
    return _with_cart_cookie(jsonify(_cart(create=True)))


@bp.post("/<shop>/cart/update.js")
def cart_update(shop: str) -> Response:
    body = request.get_json(silent=True)
    if body is None:  # form encoding: attributes[name]=value
        body = {
            "attributes": {
                key[len("attributes[") : -1]: value
                for key, value in request.form.items()
                if key.startswith("attributes[") and key.endswith("]")
            }
        }
    attributes = body.get("attributes") if isinstance(body, dict) else None
    if not isinstance(attributes, dict):
        return jsonify(status=422, message="Cart Error", description="attributes expected"), 422
    cart = _cart(create=True)
    with _state().lock:
        for name, value in attributes.items():
            # Shopify drops an attribute set to an empty value.
            if value in ("", None):
                cart["attributes"].pop(str(name), None)
            else:
                cart["attributes"][str(name)] = str(value)
    return _with_cart_cookie(jsonify(cart))


@bp.post("/<shop>/cart/add.js")
def cart_add(shop: str) -> Response:
    """Add `{"id": variant_id, "quantity": n}` (JSON or form); answers the line item."""
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else request.form
    quantity = str(body.get("quantity", "1"))
    if str(body.get("id")) != str(VARIANT["id"]):
        return jsonify(status=404, message="Cart Error", description="Cannot find variant"), 404
    if not quantity.isdigit() or int(quantity) < 1:
        return jsonify(status=422, message="Cart Error", description="quantity expected"), 422
    cart = _cart(create=True)
    with _state().lock:
        items = cart["items"]
        if not items:
            items.append({"id": VARIANT["id"], "variant_id": VARIANT["id"], "quantity": 0})
        line = items[0]
        line.update(
            product_id=PRODUCT["id"],
            title=PRODUCT["title"],
            sku=VARIANT["sku"],
            handle=PRODUCT["handle"],
            price=PRODUCT["price"],
        )
        line["quantity"] += int(quantity)
        line["line_price"] = line["price"] * line["quantity"]
        cart["item_count"] = line["quantity"]
        cart["total_price"] = line["line_price"]
        answer = dict(line)
    response = jsonify(answer)
    response.set_cookie(CART_COOKIE, cart["token"], path="/")
    return response


def _cart(*, create: bool) -> dict[str, Any]:
    token = request.cookies.get(CART_COOKIE) or ""
    store = carts(_state())
    with _state().lock:
        if token in store:
            return store[token]
        cart = {
            "token": token or secrets.token_hex(16),
            "attributes": {},
            "items": [],
            "item_count": 0,
            "total_price": 0,
            "currency": CURRENCY,
        }
        if create:
            store[cart["token"]] = cart
        return cart


def _with_cart_cookie(response: Response) -> Response:
    token = response.get_json()["token"]
    if request.cookies.get(CART_COOKIE) != token:
        response.set_cookie(CART_COOKIE, token, path="/")
    return response
