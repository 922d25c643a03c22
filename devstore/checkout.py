"""Shopify's checkout, reduced to what a web pixel sees: `/{shop}/checkout` walks contact,
address, shipping and payment, places the order (devstore sends the signed `orders/paid` webhook
to the app, with the cart's attributes as the order's note attributes) and shows the thank-you
step. Each step publishes Shopify's documented standard event to the app's web pixel, hosted as
Shopify hosts it (devstore.pixel_host).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from devstore import webhooks
from devstore.pixel_host import pixel_host, pixel_init
from devstore.proxy import CLIENT_ADDRESS_HEADER
from devstore.state import DevstoreState
from devstore.storefront import CONSENT_COOKIE, CONSENT_STATES, _cart, client_id

bp = Blueprint("devstore_checkout", __name__)


def _state() -> DevstoreState:
    return current_app.extensions["devstore"]


def _money(amount: str, currency: str) -> dict[str, Any]:
    return {"amount": float(amount), "currencyCode": currency}


def pixel_checkout(shop: str, order: dict[str, Any], token: str) -> dict[str, Any]:
    """The order's checkout in the web pixel API's `Checkout` shape (before it completes)."""
    currency = order["currency"]
    address = order["billing_address"]
    pixel_address = {
        "firstName": address["first_name"],
        "lastName": address["last_name"],
        "address1": address["address1"],
        "city": address["city"],
        "zip": address["zip"],
        "province": address["province"],
        "provinceCode": address["province_code"],
        "country": address["country"],
        "countryCode": address["country_code"],
        "phone": address["phone"],
    }
    return {
        "token": token,
        "currencyCode": currency,
        "totalPrice": _money(order["total_price"], currency),
        "subtotalPrice": _money(order["subtotal_price"], currency),
        "totalTax": _money(order["total_tax"], currency),
        "email": order["email"],
        "phone": order["phone"],
        "billingAddress": pixel_address,
        "shippingAddress": pixel_address,
        "attributes": [{"key": a["name"], "value": a["value"]} for a in order["note_attributes"]],
        "lineItems": [
            {
                "id": str(line["id"]),
                "quantity": line["quantity"],
                "title": line["title"],
                "variant": {
                    "id": str(line["variant_id"]),
                    "sku": line["sku"],
                    "title": line["variant_title"],
                    "price": _money(line["price"], currency),
                    "product": {
                        "id": str(line["product_id"]),
                        "title": line["title"],
                        "vendor": line["vendor"],
                        "type": "",
                        "url": f"/products/{line['sku'].lower()}",
                    },
                },
            }
            for line in order["line_items"]
        ],
        "order": None,
    }


@bp.get("/<shop>/checkout")
def checkout_page(shop: str) -> Response:
    cart = _cart(create=False)
    token = secrets.token_hex(16)
    order = webhooks.order(
        shop,
        note_attributes=dict(cart["attributes"]),
        browser_ip=request.headers.get(CLIENT_ADDRESS_HEADER) or request.remote_addr,
        user_agent=request.headers.get("User-Agent", ""),
        landing_site=None,
        referring_site=None,
    )
    with _state().lock:
        _state().section("checkouts")[token] = {"shop": shop, "order": order, "completed": False}
    consent = CONSENT_STATES.get(request.cookies.get(CONSENT_COOKIE, ""), (True, True))
    checkout = pixel_checkout(shop, order, token)
    init = pixel_init(shop, cart, consent, checkout["attributes"])
    page = PAGE % {
        "shop": json.dumps(shop),
        "token": json.dumps(token),
        "checkout": json.dumps(checkout),
        "pixels": pixel_host(_state(), shop, init, client_id(cart), analytics=consent[0]),
    }
    return Response(page, content_type="text/html; charset=utf-8")


@bp.post("/<shop>/checkouts/<token>/complete")
def complete(shop: str, token: str):  # type: ignore[no-untyped-def]
    """Place the order: the webhook goes to the app before the thank-you step shows."""
    with _state().lock:
        record = _state().section("checkouts").get(token)
        if record is None or record["shop"] != shop:
            return jsonify(error="no such checkout"), 404
        first = not record["completed"]
        record["completed"] = True
    order = record["order"]
    if first:
        config = _state().config
        sent = webhooks.send(config.app_url, "orders/paid", shop, order, secret=config.api_secret)
        with _state().lock:
            _state().section("webhooks").setdefault("sent", []).append(
                {
                    "webhook_id": sent.webhook_id,
                    "topic": "orders/paid",
                    "shop": shop,
                    "status": sent.status,
                }
            )
    return jsonify(order_id=order["id"], customer_id=order["customer"]["id"])


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Checkout</title></head><body>
<h1>Checkout</h1>
<section id="contact"><input id="email" value="ada@example.com">
<button id="contact-continue">Continue to shipping</button></section>
<section id="shipping" hidden><button id="shipping-continue">Continue to payment</button></section>
<section id="payment" hidden><button id="pay-now">Pay now</button></section>
<section id="thank-you" hidden><h2>Thank you!</h2><p id="order-id"></p></section>
%(pixels)s
<script>
(function () {
  var shop = %(shop)s, token = %(token)s, checkout = %(checkout)s;
  function publish(name) { devstorePixels.publish(name, {checkout: checkout}); }
  window.devstoreCheckout = {publish: publish, consent: devstorePixels.consent};
  publish("checkout_started");
  function show(id) {
    ["contact", "shipping", "payment", "thank-you"].forEach(function (s) {
      document.getElementById(s).hidden = s !== id;
    });
  }
  document.getElementById("contact-continue").onclick = function () {
    publish("checkout_contact_info_submitted");
    publish("checkout_address_info_submitted");
    show("shipping");
  };
  document.getElementById("shipping-continue").onclick = function () {
    publish("checkout_shipping_info_submitted");
    show("payment");
  };
  document.getElementById("pay-now").onclick = function () {
    publish("payment_info_submitted");
    fetch("/" + shop + "/checkouts/" + token + "/complete", {method: "POST"})
      .then(function (r) { return r.json(); })
      .then(function (placed) {
        checkout.order = {id: String(placed.order_id),
                          customer: {id: String(placed.customer_id), isFirstOrder: true}};
        document.getElementById("order-id").textContent = "Order " + placed.order_id;
        show("thank-you");
        publish("checkout_completed");
      });
  };
})();
</script></body></html>"""
