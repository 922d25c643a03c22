"""Shopify's checkout, reduced to what a web pixel sees: `/{shop}/checkout` walks contact,
address, shipping and payment, places the order (devstore sends the signed `orders/paid` webhook
to the app, with the cart's attributes as the order's note attributes) and shows the thank-you
step. Each step publishes Shopify's documented standard event to the app's web pixel.

The pixel runs as Shopify runs it: the built extension script (web_pixel/dist) in a sandboxed
iframe (`sandbox="allow-scripts"`: an opaque origin, no access to the page, the app reached only
cross-origin), loaded only when the app created its pixel with `webPixelCreate` and the visitor
allowed analytics (the permission the extension declares). The page hands it `init` (shop, cart,
customer privacy) and the pixel's settings as stored by the Admin API, then each event.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_from_directory

from devstore import webhooks
from devstore.proxy import CLIENT_ADDRESS_HEADER
from devstore.state import DevstoreState
from devstore.storefront import CONSENT_COOKIE, CONSENT_STATES, _cart
from devstore.web_pixels import current_pixel

bp = Blueprint("devstore_checkout", __name__)

PIXEL_DIST = Path(__file__).resolve().parent.parent / "web_pixel" / "dist"


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
    analytics, marketing = CONSENT_STATES.get(request.cookies.get(CONSENT_COOKIE, ""), (True, True))
    pixel = current_pixel(_state(), shop)
    init = {
        "context": {},
        "data": {
            "shop": {"name": shop.split(".")[0], "myshopifyDomain": shop},
            "cart": {
                "id": cart["token"],
                "attributes": pixel_checkout(shop, order, token)["attributes"],
            },
            "customer": None,
        },
        "customerPrivacy": {
            "analyticsProcessingAllowed": analytics,
            "marketingAllowed": marketing,
            "preferencesProcessingAllowed": analytics,
            "saleOfDataAllowed": marketing,
        },
    }
    page = PAGE % {
        "shop": json.dumps(shop),
        "token": json.dumps(token),
        "checkout": json.dumps(pixel_checkout(shop, order, token)),
        "init": json.dumps(init),
        # Shopify loads the pixel only when it exists and every declared permission is given.
        "settings": json.dumps(pixel["settings"] if pixel and analytics else None),
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


@bp.get("/_devstore/web-pixel-sandbox")
def sandbox() -> Response:
    return Response(SANDBOX, content_type="text/html; charset=utf-8")


@bp.get("/_devstore/web-pixel/<path:name>")
def pixel_script(name: str) -> Response:
    return send_from_directory(PIXEL_DIST, name, max_age=0)


# The sandbox document: Shopify's `shopify.extend` for the extension's `register`, the API it
# hands the pixel (analytics, browser, init, settings, customerPrivacy), fed by the page.
SANDBOX = """<!doctype html><html><head><meta charset="utf-8"><script>
var handlers = {}, privacyHandlers = [], registered = null;
self.shopify = {extend: function (point, callback) {
  if (point === "WebPixel::Render") registered = callback;
}};
function subscribe(name, callback) { (handlers[name] = handlers[name] || []).push(callback); }
window.addEventListener("message", function (message) {
  var m = message.data || {};
  if (m.type === "init" && registered) {
    registered({
      analytics: {subscribe: subscribe},
      browser: {
        cookie: {get: function () { return Promise.resolve(""); }},
        localStorage: {getItem: function () { return Promise.resolve(null); }},
        sendBeacon: function (url, body) {
          return Promise.resolve(navigator.sendBeacon(url, body));
        }
      },
      init: m.init,
      settings: m.settings,
      customerPrivacy: {subscribe: function (name, callback) {
        if (name === "visitorConsentCollected") privacyHandlers.push(callback);
      }}
    });
    parent.postMessage({type: "registered"}, "*");
  } else if (m.type === "event") {
    (handlers[m.event.name] || []).concat(handlers.all_events || []).forEach(function (h) {
      h(m.event);
    });
  } else if (m.type === "consent") {
    privacyHandlers.forEach(function (h) { h({customerPrivacy: m.customerPrivacy}); });
  }
});
</script><script src="/_devstore/web-pixel/sightline-web-pixel.js"></script>
<script>parent.postMessage({type: "ready"}, "*");</script></head><body></body></html>"""

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Checkout</title></head><body>
<h1>Checkout</h1>
<section id="contact"><input id="email" value="ada@example.com">
<button id="contact-continue">Continue to shipping</button></section>
<section id="shipping" hidden><button id="shipping-continue">Continue to payment</button></section>
<section id="payment" hidden><button id="pay-now">Pay now</button></section>
<section id="thank-you" hidden><h2>Thank you!</h2><p id="order-id"></p></section>
<script>
(function () {
  var shop = %(shop)s, token = %(token)s, checkout = %(checkout)s, init = %(init)s;
  var settings = %(settings)s, frame = null, ready = false, pending = [], seq = 0;
  var clientId = "devstore-client-" + token.slice(0, 8);
  function send(message) {
    if (ready) frame.contentWindow.postMessage(message, "*"); else pending.push(message);
  }
  function uuid() {
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0; return (c === "x" ? r : (r & 3 | 8)).toString(16);
    });
  }
  function publish(name) {
    if (!frame) return;
    send({type: "event", event: {
      id: "sh-" + uuid(), clientId: clientId, name: name, type: "standard", seq: seq++,
      timestamp: new Date().toISOString(),
      context: {
        document: {location: {href: location.href, pathname: location.pathname},
                   referrer: document.referrer, title: document.title},
        navigator: {userAgent: navigator.userAgent, language: navigator.language,
                    cookieEnabled: navigator.cookieEnabled},
        window: {innerWidth: innerWidth, innerHeight: innerHeight}
      },
      data: {checkout: JSON.parse(JSON.stringify(checkout))}
    }});
  }
  if (settings) {
    frame = document.createElement("iframe");
    frame.id = "web-pixel-sightline";
    frame.setAttribute("sandbox", "allow-scripts");
    frame.style.display = "none";
    frame.src = "/_devstore/web-pixel-sandbox";
    window.addEventListener("message", function (message) {
      if (message.source !== frame.contentWindow) return;
      if (message.data.type === "ready") {
        frame.contentWindow.postMessage({type: "init", init: init, settings: settings}, "*");
      } else if (message.data.type === "registered") {
        ready = true;
        pending.splice(0).forEach(send);
      }
    });
    document.body.appendChild(frame);
  }
  window.devstoreCheckout = {publish: publish, consent: function (privacy) {
    send({type: "consent", customerPrivacy: privacy});
  }};
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
