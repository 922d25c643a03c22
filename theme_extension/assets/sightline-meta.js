/*
 * Sightline: Meta's pixel in the browser, beside the server-side Conversions API. Loaded by
 * sightline.js only when the shop turned "Also fire the Meta pixel in the browser" on, so the
 * tracker itself stays small. Each event the tracker records goes to fbq() with the tracker's
 * event id as eventID: the Conversions API sends the same id as event_id, so Meta counts the
 * browser and server copies once. A shopper who refused marketing is never sent; without a
 * consent signal the pixel fires only when the shop's policy is "send".
 */
(function (win, doc) {
  var sightline = win.Sightline, meta = sightline && sightline.meta;
  if (!meta || win._slMetaStarted) return;
  win._slMetaStarted = true;

  // Meta's base pixel code: a queueing fbq() until fbevents.js has loaded.
  if (!win.fbq) {
    var fbq = (win.fbq = function () {
      fbq.callMethod ? fbq.callMethod.apply(fbq, arguments) : fbq.queue.push(arguments);
    });
    if (!win._fbq) win._fbq = fbq;
    fbq.push = fbq;
    fbq.loaded = true;
    fbq.version = "2.0";
    fbq.queue = [];
    var script = doc.createElement("script");
    script.async = true;
    script.src = "https://connect.facebook.net/en_US/fbevents.js";
    doc.head.appendChild(script);
  }
  win.fbq("init", meta.pixel_id);

  function allowed() {
    var marketing = sightline.marketing();
    return marketing === true || (marketing == null && meta.send_unknown);
  }

  function fire(event) {
    var name = event.name == "page_view" ? (meta.page_view ? "PageView" : null) : meta.events[event.name];
    if (!name || !allowed()) return;
    var params = {}, data = event.data || {};
    ["content_ids", "content_type", "contents", "content_name", "content_category", "num_items"].forEach(
      function (key) { if (data[key] != null) params[key] = data[key]; }
    );
    if (event.value != null) params.value = Number(event.value);
    if (event.currency) params.currency = String(event.currency).toUpperCase();
    win.fbq("track", name, params, { eventID: event.id });
  }

  var queue = (win._slMeta = win._slMeta || []);
  queue.forEach(fire);
  queue.push = function (event) { fire(event); return 0; };
})(window, document);
