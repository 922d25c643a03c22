/*
 * Sightline storefront tracker: the readable source of theme_extension/assets/sightline.js
 * (built by tracker/build.mjs; keep it under 3 KB gzipped, a test checks).
 *
 * Reads the inline config the app embed renders (or fetches it from the app proxy), binds the
 * merchant's triggers through delegation on `document`, and sends batches to the shop's own
 * `/apps/sightline/track`. Every batch is written to localStorage before it is sent and removed
 * only when the app confirms it, so a failed send (or a page closed mid-send) is retried later;
 * the server deduplicates by event id. Nothing is sent until Shopify's Customer Privacy API
 * allows analytics, where that API is present.
 */
(function (win, doc) {
  var element = doc.getElementById("sightline-config");
  if (!element || win.Sightline) return;
  var page = JSON.parse(element.textContent);
  var root = (page.root || "/").replace(/\/$/, "");
  var endpoint = root + "/apps/sightline/";
  var store = win.localStorage;
  var SESSION_KEY = "_sl_session";
  var OUTBOX_KEY = "_sl_outbox";
  var SESSION_MS = 30 * 60 * 1000;
  var MAX_BATCHES = 20; // the bounded outbox: the oldest batch goes first
  var BATCH_SIZE = 50; // what one request may carry
  var ATTRIBUTION = "utm_source utm_medium utm_campaign utm_term utm_content fbclid gclid ttclid".split(" ");
  var CLICKABLE = "a,button,[role=button],input[type=submit],input[type=button]";
  var config, session, pending = [], timer, retryTimer, inFlight = {}, lastClick = {};
  var allowed = true, marketing = null; // no consent API: analytics allowed, marketing unknown

  function load(key) {
    try { return JSON.parse(store.getItem(key)); } catch (e) { return null; }
  }
  function save(key, value) {
    try { store.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full or blocked */ }
  }
  function randomId() {
    return Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(16)), function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }
  function cookie(name) {
    var match = doc.cookie.match("(?:^|; )" + name + "=([^;]*)");
    return match ? decodeURIComponent(match[1]) : null;
  }

  // A session ends after 30 minutes without events; its first attribution stays with it, unless
  // the shopper arrives again through a tagged link.
  function currentSession() {
    var now = Date.now(), params = new URLSearchParams(location.search), found = {}, tagged;
    ATTRIBUTION.forEach(function (key) {
      if (params.get(key)) found[key] = params.get(key), tagged = 1;
    });
    session = load(SESSION_KEY);
    tagged = tagged && JSON.stringify(found) != JSON.stringify(session && session.attribution);
    if (!session || now - session.seen > SESSION_MS || tagged) {
      session = { id: randomId(), attribution: tagged ? found : {}, cart: 0 };
    }
    session.seen = now;
    save(SESSION_KEY, session);
    return session;
  }

  function facebookIds() {
    var fbc = cookie("_fbc"), fbclid = session.attribution.fbclid;
    // Meta's documented format when the _fbc cookie is missing but the click id is known.
    if (!fbc && fbclid) fbc = "fb.1." + session.seen + "." + fbclid;
    return { fbp: cookie("_fbp"), fbc: fbc };
  }

  function track(name, data, value, currency) {
    if (!config) return;
    data = data || {};
    var event = {
      id: randomId(), name: name, url: location.href, page_type: page.page_type, data: data,
      value: value != null ? value : data.value, currency: currency || data.currency
    };
    pending.push(event);
    // Meta's pixel (sightline-meta.js) gets the same id: browser and server copies count once.
    if (config.meta) (win._slMeta = win._slMeta || []).push(event);
    currentSession();
    clearTimeout(timer);
    timer = setTimeout(flush, 1000);
  }

  // Events waiting for consent stay in memory only: refused consent means they never leave.
  function flush() {
    if (!allowed) return;
    while (pending.length) {
      var ids = facebookIds(), outbox = load(OUTBOX_KEY) || [];
      outbox.push({
        key: randomId(),
        body: {
          session_id: session.id, marketing: marketing, fbp: ids.fbp, fbc: ids.fbc,
          referrer: doc.referrer || null, attribution: session.attribution,
          events: pending.splice(0, BATCH_SIZE)
        }
      });
      save(OUTBOX_KEY, outbox.slice(-MAX_BATCHES));
    }
    send();
  }

  function send() {
    (load(OUTBOX_KEY) || []).forEach(function (batch) {
      if (inFlight[batch.key]) return;
      inFlight[batch.key] = 1;
      fetch(endpoint + "track", {
        method: "POST", body: JSON.stringify(batch.body), keepalive: true,
        headers: { "Content-Type": "text/plain" }
      }).then(function (response) {
        // 2xx, or a 4xx the batch will never outgrow (429 aside): it is done with.
        if (response.status < 500 && response.status != 429) return done(batch.key);
        throw 0;
      }).catch(function () {
        delete inFlight[batch.key];
        clearTimeout(retryTimer);
        retryTimer = setTimeout(send, 3000);
      });
    });
  }

  function done(key) {
    save(OUTBOX_KEY, (load(OUTBOX_KEY) || []).filter(function (batch) { return batch.key != key; }));
  }

  // Once per session, so the order (and the purchase webhook) carries the visit's attribution.
  function writeCartAttributes() {
    if (session.cart) return;
    var attributes = { _sightline_session: session.id }, ids = facebookIds();
    ATTRIBUTION.forEach(function (key) {
      attributes["_sightline_" + key] = session.attribution[key] || "";
    });
    if (ids.fbp) attributes._fbp = ids.fbp;
    if (ids.fbc) attributes._fbc = ids.fbc;
    if (marketing != null) attributes._sightline_consent_marketing = marketing ? "1" : "0";
    fetch(root + "/cart/update.js", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ attributes: attributes })
    }).then(function (response) {
      if (response.ok) session.cart = 1, save(SESSION_KEY, session);
    }).catch(function () {});
  }

  function onThisPage(event) {
    if (event.page_type == "custom") {
      var path = location.pathname.slice(root.length) || "/";
      var pattern = event.page_url.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
      return new RegExp("^" + pattern + "$").test(path);
    }
    return event.page_type == "all" || event.page_type == page.page_type;
  }

  // Click autocapture: what was clicked, never what was typed (no form field values).
  function autocapture(target) {
    var element = target.closest(CLICKABLE), now = Date.now(), href, url;
    if (!element || (lastClick.element == element && now - lastClick.at < 1000)) return;
    lastClick = { element: element, at: now };
    if ((href = element.getAttribute("href"))) {
      url = new URL(href, location.href);
      href = url.origin == location.origin ? url.pathname : url.href;
    }
    track("click", {
      tag: element.tagName.toLowerCase(), href: href,
      text: (element.innerText || element.getAttribute("aria-label") || "").replace(/\s+/g, " ").trim().slice(0, 100),
      selector: element.id ? "#" + CSS.escape(element.id) : element.tagName.toLowerCase() +
        [].slice.call(element.classList, 0, 2).map(function (name) { return "." + CSS.escape(name); }).join("")
    });
  }

  function start() {
    var settings = config.settings, meta = config.meta;
    if (meta) {
      win.Sightline.meta = meta;
      doc.head.appendChild(doc.createElement("script")).src = page.meta_script;
    }
    if (!settings.custom_events_enabled && !settings.track_pageviews && !settings.track_clicks) return;
    currentSession();
    var events = settings.custom_events_enabled ? config.events.filter(onThisPage) : [], scrolled = {};
    if (settings.track_pageviews) track("page_view", page.product ? { product: page.product } : {});
    events.forEach(function (event) {
      if (event.event_type == "load") track(event.name, event.data);
    });
    "click submit change focus".split(" ").forEach(function (type) {
      doc.addEventListener(type, function (domEvent) {
        var target = domEvent.target, covered;
        if (!target.closest) return;
        events.forEach(function (event) {
          try {
            if (event.event_type == type && target.closest(event.selector)) {
              covered = track(event.name, event.data) || 1;
            }
          } catch (e) { /* a selector this browser cannot parse */ }
        });
        if (type == "click" && settings.track_clicks && !covered) autocapture(target);
      }, true); // capture: focus does not bubble, and handlers that stop propagation cannot hide it
    });
    addEventListener("scroll", function () {
      var seen = (scrollY + innerHeight) * 100 / doc.documentElement.scrollHeight;
      events.forEach(function (event) {
        if (event.event_type == "scroll" && !scrolled[event.name] && seen >= event.scroll_depth) {
          scrolled[event.name] = 1;
          track(event.name, event.data);
        }
      });
    }, { passive: true });
    addEventListener("pagehide", flush);
    doc.addEventListener("visibilitychange", function () {
      if (doc.visibilityState == "hidden") flush();
    });
    if (allowed) writeCartAttributes(), send();
  }

  function applyConsent(privacy) {
    allowed = privacy.analyticsProcessingAllowed();
    marketing = privacy.marketingAllowed();
    if (allowed && config) writeCartAttributes(), flush();
  }

  // Picker mode (opened from the admin, or already started in this tab): load the picker asset,
  // which checks its token with the app before doing anything.
  try {
    if (page.picker && (/sightline-picker=/.test(location.hash) || sessionStorage.getItem("_sl_picker"))) {
      doc.head.appendChild(doc.createElement("script")).src = page.picker;
    }
  } catch (e) { /* storage blocked: no picker */ }

  win.Sightline = { track: track, marketing: function () { return marketing; } };
  var shopify = win.Shopify;
  if (shopify && shopify.loadFeatures) {
    allowed = false; // until the API answers
    shopify.loadFeatures([{ name: "consent-tracking-api", version: "0.1" }], function (error) {
      if (!error) applyConsent(shopify.customerPrivacy);
    });
    doc.addEventListener("visitorConsentCollected", function () {
      applyConsent(shopify.customerPrivacy);
    });
  }
  if (page.config) {
    config = page.config;
    start();
  } else {
    fetch(endpoint + "config").then(function (response) { return response.json(); })
      .then(function (body) { config = body; start(); }).catch(function () {});
  }
})(window, document);
