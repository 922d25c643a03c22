// Sightline's web pixel. Shopify runs it in a strict sandbox (a web worker) on the storefront
// and on checkout, where theme app extensions never run. It forwards the standard events below
// to the app's pixel endpoint in small batches, with the visitor's marketing choice on each.
//
// Why a direct endpoint and not the app proxy: the sandbox's origin is not the storefront's, so
// the shop's /apps/... path is cross-origin from here, and Shopify documents no CORS answers from
// the proxy nor its use from checkout. The pixel posts to the app itself, and the per-shop key
// from its settings (set by the app with webPixelCreate/webPixelUpdate) proves which shop it
// speaks for. The body is sent as text/plain: a "simple" cross-origin request, so no
// CORS preflight is needed.
import { register } from "@shopify/web-pixels-extension";

const EVENTS = [
  "checkout_started",
  "checkout_contact_info_submitted",
  "checkout_address_info_submitted",
  "checkout_shipping_info_submitted",
  "payment_info_submitted",
  "checkout_completed",
  "product_viewed",
  "product_added_to_cart",
  "search_submitted",
];
const FLUSH_AFTER_MS = 400; // batch events that come together (checkout steps, page loads)
const MAX_BATCH = 20;
const MAX_RETRIES = 2;

register(({ analytics, init, settings, customerPrivacy }) => {
  const endpoint = String(settings.endpoint || "").replace(/\/+$/, "") + "/pixel/events";
  const shop = init && init.data && init.data.shop ? init.data.shop.myshopifyDomain : "";
  if (!settings.shopKey || !shop) return;

  // Shopify loads the pixel only with analytics consent (our declaration); marketing is the
  // visitor's separate choice, and may change while the page is open.
  let marketing = readMarketing(init && init.customerPrivacy);
  if (customerPrivacy && customerPrivacy.subscribe) {
    customerPrivacy.subscribe("visitorConsentCollected", (event) => {
      const found = readMarketing(event && event.customerPrivacy);
      if (found !== null) marketing = found;
    });
  }

  // The storefront tracker writes the session and its attribution into cart attributes; checkout
  // events carry them in data.checkout.attributes, the others get them from the cart at load.
  const cart = init && init.data ? init.data.cart : null;
  const cartAttributes = cart && Array.isArray(cart.attributes) ? cart.attributes : undefined;

  let queue = [];
  let timer = null;

  function flush(retries) {
    timer = null;
    if (!queue.length) return;
    const events = queue.splice(0, MAX_BATCH);
    const body = JSON.stringify({ shop, key: settings.shopKey, events });
    fetch(endpoint, {
      method: "POST",
      body,
      keepalive: true,
      headers: { "Content-Type": "text/plain" },
    })
      .then((response) => {
        // 5xx and 429: the app could not take them now; a 4xx would fail the same way again.
        if ((response.status >= 500 || response.status === 429) && retries < MAX_RETRIES) {
          requeue(events, retries);
        }
      })
      .catch(() => {
        if (retries < MAX_RETRIES) requeue(events, retries);
      });
    if (queue.length) flush(retries);
  }

  function requeue(events, retries) {
    queue = events.concat(queue);
    setTimeout(() => flush(retries + 1), 1000 * (retries + 1));
  }

  function schedule(now) {
    if (now) {
      if (timer) clearTimeout(timer);
      flush(0);
    } else if (!timer) {
      timer = setTimeout(() => flush(0), FLUSH_AFTER_MS);
    }
  }

  EVENTS.forEach((name) => {
    analytics.subscribe(name, (event) => {
      queue.push(describe(event, marketing, cartAttributes));
      // The thank-you page may close at once: send the purchase without waiting.
      schedule(name === "checkout_completed" || queue.length >= MAX_BATCH);
    });
  });
});

function readMarketing(privacy) {
  if (!privacy || typeof privacy.marketingAllowed !== "boolean") return null;
  return privacy.marketingAllowed;
}

// What the app needs of one of Shopify's events: its id, name and time, the page, and its data.
function describe(event, marketing, cartAttributes) {
  const context = event.context || {};
  const doc = context.document || {};
  const nav = context.navigator || {};
  return {
    id: event.id,
    name: event.name,
    timestamp: event.timestamp,
    client_id: event.clientId,
    url: doc.location ? doc.location.href : undefined,
    referrer: doc.referrer || undefined,
    user_agent: nav.userAgent || undefined,
    marketing,
    cart_attributes: cartAttributes,
    data: event.data || {},
  };
}
