"""The standard events Shopify publishes to web pixels on storefront pages, with their documented
`data` (Web Pixels API, standard events): `page_viewed` on every page, `product_viewed`,
`collection_viewed`, `cart_viewed` and `search_submitted` on their pages, and
`product_added_to_cart` when the shopper adds to the cart (the product form, through the cart
Ajax API `cart/add.js`). Checkout's events are devstore.checkout's.
"""

from __future__ import annotations

import json
from typing import Any

# devstore sells one product; its one variant (the id Dawn's product form carries).
VARIANT = {"id": 45001, "sku": "RED-SHOES-40", "title": "40"}
VENDOR = "Devstore"
PRODUCT_TYPE = "Shoes"
COLLECTION = {"id": 3001, "title": "Shoes"}


def money(cents: int, currency: str) -> dict[str, Any]:
    """A `MoneyV2`: the amount as a number in the currency's unit."""
    return {"amount": round(cents / 100, 2), "currencyCode": currency}


def product_variant(product: dict[str, Any], currency: str) -> dict[str, Any]:
    """The product's variant as a pixel's `ProductVariant`."""
    return {
        "id": str(VARIANT["id"]),
        "image": {"src": f"/products/{product['handle']}.jpg"},
        "price": money(product["price"], currency),
        "product": {
            "id": str(product["id"]),
            "title": product["title"],
            "untranslatedTitle": product["title"],
            "url": f"/products/{product['handle']}",
            "vendor": VENDOR,
            "type": PRODUCT_TYPE,
        },
        "sku": VARIANT["sku"],
        "title": VARIANT["title"],
        "untranslatedTitle": VARIANT["title"],
    }


def cart_line(variant: dict[str, Any], quantity: int) -> dict[str, Any]:
    """A `CartLine`: the variant, how many, and what they cost together."""
    price = variant["price"]
    total = {"amount": round(price["amount"] * quantity, 2), "currencyCode": price["currencyCode"]}
    return {"cost": {"totalAmount": total}, "merchandise": variant, "quantity": quantity}


def pixel_cart(cart: dict[str, Any] | None, product: dict[str, Any]) -> dict[str, Any] | None:
    """The cart as a pixel's `Cart` (null until the shopper has one)."""
    if cart is None:
        return None
    variant = product_variant(product, cart["currency"])
    lines = [cart_line(variant, item["quantity"]) for item in cart["items"]]
    return {
        "id": cart["token"],
        "cost": {"totalAmount": money(cart["total_price"], cart["currency"])},
        "lines": lines,
        "totalQuantity": cart["item_count"],
        "attributes": [{"key": k, "value": v} for k, v in cart["attributes"].items()],
    }


def page_events(
    page_type: str,
    product: dict[str, Any],
    currency: str,
    cart: dict[str, Any] | None,
    query: str | None,
) -> list[tuple[str, dict[str, Any]]]:
    """(name, data) of what Shopify publishes when this page loads, in its order; `cart` is None
    while the shopper has none."""
    variant = product_variant(product, currency)
    events: list[tuple[str, dict[str, Any]]] = [("page_viewed", {})]
    if page_type == "product":
        events.append(("product_viewed", {"productVariant": variant}))
    elif page_type == "collection":
        collection = {**COLLECTION, "id": str(COLLECTION["id"]), "productVariants": [variant]}
        events.append(("collection_viewed", {"collection": collection}))
    elif page_type == "cart":
        events.append(("cart_viewed", {"cart": pixel_cart(cart, product)}))
    elif page_type == "search" and query is not None:
        found = [variant] if query.strip().lower() in product["title"].lower() else []
        result = {"query": query, "productVariants": found}
        events.append(("search_submitted", {"searchResult": result}))
    return events


def events_script(
    shop: str, events: list[tuple[str, dict[str, Any]]], variant: dict[str, Any] | None
) -> str:
    """Publishes the page's events once it has loaded; on a product page, a submitted add-to-cart
    form adds to the cart (`cart/add.js`) and then publishes `product_added_to_cart`."""
    return EVENTS % {
        "events": json.dumps(events),
        "variant": json.dumps(variant),
        "add": json.dumps(f"/{shop}/cart/add.js"),
    }


EVENTS = """<script>
(function () {
  var events = %(events)s, variant = %(variant)s, addUrl = %(add)s;
  function publish(name, data) { window.devstorePixels.publish(name, data); }
  events.forEach(function (e) { publish(e[0], e[1]); });
  if (!variant) return;
  // Capture phase: the theme's own handler (which stops the navigation) runs after this one.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.action || !/\\/cart\\/add$/.test(form.action)) return;
    var quantity = parseInt((form.elements.quantity || {}).value || "1", 10) || 1;
    fetch(addUrl, {method: "POST", headers: {"Content-Type": "application/json"},
                   body: JSON.stringify({id: Number(variant.id), quantity: quantity})})
      .then(function (response) {
        if (!response.ok) return;
        var total = Math.round(variant.price.amount * quantity * 100) / 100;
        publish("product_added_to_cart", {cartLine: {
          cost: {totalAmount: {amount: total, currencyCode: variant.price.currencyCode}},
          merchandise: variant, quantity: quantity}});
      });
  }, true);
})();
</script>"""
