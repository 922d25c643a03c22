"""Shopify's side of app web pixels, for any devstore page (storefront and checkout).

The pixel runs as Shopify runs it: the built extension script (web_pixel/dist) in a sandboxed
iframe (`sandbox="allow-scripts"`: an opaque origin, no access to the page, the app reached only
cross-origin), loaded only when the app created its pixel with `webPixelCreate` and the visitor
allowed analytics (the permission the extension declares). The page hands it `init` (shop, cart,
customer privacy) and the pixel's settings as stored by the Admin API, then each standard event
in Shopify's envelope (id, clientId, name, type, seq, timestamp, context, data) through
`window.devstorePixels.publish(name, data)`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, send_from_directory

from devstore.state import DevstoreState
from devstore.web_pixels import current_pixel

bp = Blueprint("devstore_pixel_host", __name__)

PIXEL_DIST = Path(__file__).resolve().parent.parent / "web_pixel" / "dist"


def pixel_init(
    shop: str, cart: dict[str, Any], consent: tuple[bool, bool], attributes: list[dict[str, str]]
) -> dict[str, Any]:
    """The `init` snapshot Shopify hands a pixel: shop, cart (with its attributes) and privacy."""
    analytics, marketing = consent
    return {
        "context": {},
        "data": {
            "shop": {"name": shop.split(".")[0], "myshopifyDomain": shop},
            "cart": {"id": cart["token"], "attributes": attributes},
            "customer": None,
        },
        "customerPrivacy": {
            "analyticsProcessingAllowed": analytics,
            "marketingAllowed": marketing,
            "preferencesProcessingAllowed": analytics,
            "saleOfDataAllowed": marketing,
        },
    }


def pixel_host(
    state: DevstoreState, shop: str, init: dict[str, Any], client_id: str, analytics: bool
) -> str:
    """The page's pixel host: `window.devstorePixels` always exists; it loads the pixel only when
    the app created one and the visitor allowed analytics (otherwise publishing does nothing)."""
    pixel = current_pixel(state, shop)
    settings = pixel["settings"] if pixel and analytics else None
    return HOST % {
        "init": json.dumps(init),
        "settings": json.dumps(settings),
        "client": json.dumps(client_id),
    }


@bp.get("/_devstore/web-pixel-sandbox")
def sandbox() -> Response:
    return Response(SANDBOX, content_type="text/html; charset=utf-8")


@bp.get("/_devstore/web-pixel/<path:name>")
def pixel_script(name: str) -> Response:
    return send_from_directory(PIXEL_DIST, name, max_age=0)


# The page's side: the iframe, the handshake, and Shopify's event envelope.
HOST = """<script>
(function () {
  var init = %(init)s, settings = %(settings)s, clientId = %(client)s;
  var frame = null, ready = false, pending = [], seq = 0;
  function send(message) {
    if (ready) frame.contentWindow.postMessage(message, "*"); else pending.push(message);
  }
  function uuid() {
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0; return (c === "x" ? r : (r & 3 | 8)).toString(16);
    });
  }
  function publish(name, data) {
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
      data: JSON.parse(JSON.stringify(data || {}))
    }});
  }
  function start() {
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
  if (settings) {
    if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
  }
  window.devstorePixels = {publish: publish, consent: function (privacy) {
    if (frame) send({type: "consent", customerPrivacy: privacy});
  }};
})();
</script>"""

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
