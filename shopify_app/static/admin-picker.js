// Sightline admin: "Pick on my storefront" and test mode on the event form.
//
// The storefront opens in a new tab with a short-lived picker token in its URL fragment. The
// picker there posts the merchant's choice to the app through the shop's app proxy; this page
// polls the app for it (storefront and admin are different origins, so nothing is passed
// between the tabs directly). After a picked event is saved, the form stays and polls for that
// event's newest stored occurrence: "received ✓" with device, page and time.
(function () {
  "use strict";

  var POLL_MS = 1000;
  var TEST_POLL_MS = 1500;
  var TEST_FOR_MS = 10 * 60 * 1000;
  var MANY = 100; // as the storefront picker: this many matches is probably more than meant
  // A page of each kind that every Shopify store has, for the picker to open first.
  var DEFAULT_PATHS = {
    index: "/", collection: "/collections/all", product: "/collections/all", "list-collections": "/collections",
    cart: "/cart", search: "/search", "customers/login": "/account/login", "customers/register": "/account/register",
  };
  var pickerRun = 0;
  var testRun = 0;

  function api(method, path, body) {
    return window.sightlineApi(method, path, body);
  }

  function appUrl(path) {
    var holder = document.querySelector("[data-auth-query]");
    var query = holder ? holder.dataset.authQuery : "";
    return path + (query ? "?" + query : "");
  }

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function setStatus(el, text, tone) {
    el.textContent = text;
    el.className = "sl-picker__status" + (tone ? " is-" + tone : "");
    el.hidden = !text;
  }

  function pathOf(url) {
    try { return new URL(url).pathname; } catch (e) { return url || ""; }
  }

  // --- Picking ---------------------------------------------------------------------------
  function bindPicker(form) {
    var picker = form.querySelector("[data-picker]");
    if (!picker) return;
    var pathInput = picker.querySelector("[data-picker-path]");
    var status = picker.querySelector("[data-picker-status]");
    var typed = false;
    function defaultPath() {
      var pageType = form.elements.page_type.value;
      if (pageType === "custom" && form.elements.page_url.value.indexOf("*") < 0) return form.elements.page_url.value;
      return DEFAULT_PATHS[pageType] || "/";
    }
    pathInput.value = defaultPath();
    pathInput.addEventListener("input", function () { typed = true; });
    form.elements.page_type.addEventListener("change", function () { if (!typed) pathInput.value = defaultPath(); });
    form.elements.selector.addEventListener("input", function () { showWarning(form); });

    picker.querySelector("[data-open-picker]").addEventListener("click", async function () {
      // Opened before any await: browsers only allow new tabs in direct answer to a click.
      var tab = window.open("", "_blank");
      var run = ++pickerRun;
      setStatus(status, "Opening your storefront…");
      var result = await api("POST", "/api/picker/sessions", { path: pathInput.value.trim() || "/" });
      if (!result.ok) {
        if (tab) tab.close();
        setStatus(status, result.data.error || "Could not open the picker", "error");
        return;
      }
      if (tab) {
        tab.opener = null; // the storefront gets no handle on this page
        tab.location.href = result.data.url;
      } else {
        window.open(result.data.url, "_blank", "noopener");
      }
      setStatus(status, "The picker is open in a new tab. Click the element there and choose “Use this”.");
      pollPicker(form, status, result.data.session_id, run);
    });
  }

  async function pollPicker(form, status, sessionId, run) {
    var seen = 0;
    while (run === pickerRun) {
      await wait(POLL_MS);
      if (run !== pickerRun) return;
      var result = await api("GET", "/api/picker/sessions/" + encodeURIComponent(sessionId));
      if (!result.ok) continue; // a passing network or token problem: try again
      var session = result.data.session;
      if (session.seq > seen) {
        seen = session.seq;
        applySelection(form, status, session.selection);
      }
      if (session.expired) {
        if (!seen) setStatus(status, "The picker link expired. Open the picker again.", "error");
        return;
      }
    }
  }

  function setField(form, name, value) {
    var field = form.elements[name];
    if (!field) return;
    field.value = value;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function applySelection(form, status, selection) {
    setField(form, "event_type", selection.event_type);
    setField(form, "page_type", selection.page_type);
    setField(form, "page_url", selection.page_url || "");
    form.elements.selector.value = selection.selector;
    form.dataset.pickerUsed = "1";
    form.dataset.pickedSelector = selection.selector;
    form.dataset.pickedCount = String(selection.match_count);
    form.dataset.pickedPage = pathOf(selection.url);
    delete form.dataset.warningConfirmed;
    var count = selection.match_count;
    setStatus(status, "Picked ✓ " + selection.selector + " (" + count + (count === 1 ? " element" : " elements") +
      " on " + pathOf(selection.url) + "). Check the other fields and save.", "ok");
    showWarning(form);
    if (!form.elements.display_name.value) form.elements.display_name.focus();
  }

  // A warning while the selector is the picked one and matched nothing or hundreds.
  function selectorWarning(form) {
    if (!form.dataset.pickedSelector || form.elements.selector.value.trim() !== form.dataset.pickedSelector) return "";
    var count = Number(form.dataset.pickedCount);
    if (count === 0) return "This selector matched nothing on " + form.dataset.pickedPage + ": the event would not fire there.";
    if (count >= MANY) return "This selector matched " + count + " elements on " + form.dataset.pickedPage + ": probably far more than you meant.";
    return "";
  }

  function showWarning(form) {
    var el = form.querySelector("[data-selector-warning]");
    var text = selectorWarning(form);
    el.textContent = text;
    el.hidden = !text;
  }

  // --- Hooks for admin-events.js' save --------------------------------------------------
  // Before saving: a selector with a warning needs a second "Save" to go through.
  function confirmSave(form) {
    if (!selectorWarning(form) || form.dataset.warningConfirmed) return true;
    form.dataset.warningConfirmed = "1";
    showWarning(form);
    var banner = form.querySelector("[data-form-banner]");
    banner.textContent = "Check the selector warning below. Save again to keep it anyway.";
    banner.className = "sl-banner sl-banner--warning";
    banner.hidden = false;
    return false;
  }

  // After saving a picked event: stay and watch for it (true), else the usual redirect (false).
  function afterSave(form, event) {
    if (!form.dataset.pickerUsed || !event || !event.id) return false;
    form.dataset.eventId = event.id;
    history.replaceState(null, "", appUrl("/events/" + event.id + "/edit"));
    var banner = form.querySelector("[data-form-banner]");
    banner.textContent = "Saved.";
    banner.className = "sl-banner sl-banner--success";
    banner.hidden = false;
    startTest(event, event.updated_at);
    return true;
  }

  async function startTest(event, since) {
    var panel = document.querySelector("[data-test-mode]");
    var status = panel.querySelector("[data-test-status]");
    var again = panel.querySelector("[data-test-again]");
    var run = ++testRun;
    panel.hidden = false;
    panel.querySelector("[data-test-result]").hidden = true;
    again.hidden = true;
    again.onclick = function () { startTest(event, new Date().toISOString()); };
    status.className = "";
    status.textContent = "Now reload your storefront tab (close the picker first), click the element and watch it arrive here. Waiting…";
    panel.scrollIntoView({ block: "nearest" });
    var until = Date.now() + TEST_FOR_MS;
    while (run === testRun && Date.now() < until) {
      await wait(TEST_POLL_MS);
      if (run !== testRun) return;
      var result = await api("GET", "/api/custom-events/" + event.id + "/latest-occurrence?since=" + encodeURIComponent(since));
      if (result.ok && result.data.occurrence) return showReceived(panel, result.data.occurrence);
    }
    if (run === testRun) {
      status.textContent = "Nothing arrived yet. Is the app embed on in your theme, and is the event active?";
      again.hidden = false;
    }
  }

  function showReceived(panel, occurrence) {
    var status = panel.querySelector("[data-test-status]");
    status.textContent = "Received ✓";
    status.className = "sl-received";
    panel.querySelector("[data-test-device]").textContent =
      [occurrence.device_type, occurrence.browser].filter(Boolean).join(" · ") || "unknown";
    panel.querySelector("[data-test-page]").textContent = pathOf(occurrence.url) || occurrence.page_type || "unknown";
    panel.querySelector("[data-test-time]").textContent = new Date(occurrence.created_at).toLocaleString();
    panel.querySelector("[data-test-result]").hidden = false;
    panel.querySelector("[data-test-again]").hidden = false;
  }

  window.sightlinePicker = { confirmSave: confirmSave, afterSave: afterSave };

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-event-form]");
    if (form) bindPicker(form);
  });
})();
