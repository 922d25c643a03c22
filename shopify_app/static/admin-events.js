// Sightline admin pages: forms and buttons that talk to the JSON API with an ID token.
// The shell (sightline-shell.js) supplies it: App Bridge's when loaded, else the launch token.
(function () {
  "use strict";

  async function api(method, path, body) {
    var headers = { Authorization: "Bearer " + (await window.sightlineIdToken()) };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    var response = await fetch(path, {
      method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    var data = {};
    try { data = await response.json(); } catch (e) { data = { error: "Unexpected reply from the server" }; }
    return { ok: response.ok, status: response.status, data: data };
  }

  window.sightlineApi = api; // shared with admin-picker.js

  // Keeps the admin's launch parameters on every in-app link (shop, host, id_token...).
  function appUrl(path, extra) {
    var holder = document.querySelector("[data-auth-query]");
    var query = new URLSearchParams(holder ? holder.dataset.authQuery : "");
    Object.keys(extra || {}).forEach(function (key) { query.set(key, extra[key]); });
    var text = query.toString();
    return path + (text ? "?" + text : "");
  }

  function selectorError(selector) {
    try { document.createDocumentFragment().querySelector(selector); return null; }
    catch (e) { return "This is not a valid CSS selector"; }
  }

  function showErrors(form, errors) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) {
      var message = errors[el.dataset.errorFor] || "";
      el.textContent = message;
      el.hidden = !message;
      var input = form.elements[el.dataset.errorFor];
      if (input && input.setAttribute) input.setAttribute("aria-invalid", message ? "true" : "false");
    });
  }

  function banner(form, text, tone) {
    var el = form.querySelector("[data-form-banner]");
    if (!el) return;
    el.textContent = text;
    el.className = "sl-banner sl-banner--" + tone;
    el.hidden = !text;
  }

  // --- Custom event form ----------------------------------------------------------------
  function syncTriggerFields(form) {
    var trigger = form.elements.event_type.value;
    var pageType = form.elements.page_type.value;
    var needsSelector = ["click", "submit", "change", "focus"].indexOf(trigger) >= 0;
    form.querySelector("[data-field=selector]").hidden = !needsSelector;
    form.querySelector("[data-field=scroll_depth]").hidden = trigger !== "scroll";
    form.querySelector("[data-field=page_url]").hidden = pageType !== "custom";
  }

  function eventPayload(form) {
    var data = {};
    ["display_name", "name", "description", "event_type", "selector", "scroll_depth",
     "page_type", "page_url", "meta_event_name", "event_data"].forEach(function (field) {
      if (form.elements[field]) data[field] = form.elements[field].value;
    });
    data.is_active = form.elements.is_active.checked;
    return data;
  }

  function bindEventForm(form) {
    syncTriggerFields(form);
    form.elements.event_type.addEventListener("change", function () { syncTriggerFields(form); });
    form.elements.page_type.addEventListener("change", function () { syncTriggerFields(form); });

    var checkButton = form.querySelector("[data-check-selector]");
    checkButton.addEventListener("click", function () {
      var selector = form.elements.selector.value.trim();
      var problem = selector ? selectorError(selector) : "Enter a selector first";
      var result = form.querySelector("[data-selector-result]");
      result.textContent = problem || "Valid selector. It will match elements like: " + selector;
      result.className = problem ? "sl-error" : "sl-ok";
      result.hidden = false;
    });

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var payload = eventPayload(form);
      var needsSelector = ["click", "submit", "change", "focus"].indexOf(payload.event_type) >= 0;
      if (needsSelector && payload.selector.trim()) {
        var problem = selectorError(payload.selector.trim());
        if (problem) { showErrors(form, { selector: problem }); banner(form, "", "info"); return; }
      }
      var picker = window.sightlinePicker; // admin-picker.js: selector warnings and test mode
      if (picker && !picker.confirmSave(form)) return;
      var id = form.dataset.eventId;
      var submit = form.querySelector("[type=submit]");
      submit.disabled = true;
      var result = id
        ? await api("PUT", "/api/custom-events/" + id, payload)
        : await api("POST", "/api/custom-events", { action: "create", eventData: payload });
      submit.disabled = false;
      if (!result.ok) {
        showErrors(form, result.data.errors || {});
        banner(form, result.data.error || "Could not save", "critical");
        return;
      }
      if (picker && picker.afterSave(form, result.data.event)) return;
      // The list says it was saved (and by which name): the confirmation a merchant looks for.
      var saved = id || (result.data.event && result.data.event.id) || "1";
      window.location.assign(appUrl("/events", { saved: saved }));
    });
  }

  // --- Events list: active toggles and delete with confirmation ---------------------------
  function bindEventList(list) {
    list.addEventListener("change", async function (event) {
      var toggle = event.target.closest("[data-toggle-active]");
      if (!toggle) return;
      var row = toggle.closest("[data-event-id]");
      toggle.disabled = true;
      var result = await api("PUT", "/api/custom-events/" + row.dataset.eventId, { is_active: toggle.checked });
      toggle.disabled = false;
      if (!result.ok) { toggle.checked = !toggle.checked; alertMessage(result.data.error); return; }
      var badge = row.querySelector("[data-status]");
      badge.textContent = toggle.checked ? "Active" : "Paused";
      badge.className = "sl-badge " + (toggle.checked ? "sl-badge--success" : "sl-badge--muted");
    });

    var dialog = document.querySelector("[data-delete-dialog]");
    var pendingId = null;
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-delete]");
      if (!button) return;
      var row = button.closest("[data-event-id]");
      pendingId = row.dataset.eventId;
      dialog.querySelector("[data-delete-name]").textContent = row.dataset.eventName;
      dialog.showModal();
    });
    dialog.querySelector("[data-cancel]").addEventListener("click", function () { dialog.close(); });
    dialog.querySelector("[data-confirm]").addEventListener("click", async function () {
      var result = await api("DELETE", "/api/custom-events/" + pendingId);
      dialog.close();
      if (!result.ok) { alertMessage(result.data.error); return; }
      var row = list.querySelector('[data-event-id="' + pendingId + '"]');
      if (row) row.remove();
    });
  }

  function alertMessage(text) {
    var el = document.querySelector("[data-page-banner]");
    if (!el) return;
    el.textContent = text || "Something went wrong";
    el.hidden = false;
  }

  // --- Settings ---------------------------------------------------------------------------
  function bindSettingsForm(form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var payload = {
        pixel_id: form.elements.pixel_id.value,
        access_token: form.elements.access_token.value,
        token_expires_at: form.elements.token_expires_at.value,
        test_event_code: form.elements.test_event_code.value,
        consent_when_unknown: form.elements.consent_when_unknown.value,
      };
      ["custom_events_enabled", "track_pageviews", "track_clicks", "record_location", "send_to_meta",
       "meta_page_views", "meta_browser_pixel"].forEach(function (t) {
        payload[t] = form.elements[t].checked;
      });
      var result = await api("PUT", "/api/settings", payload);
      if (!result.ok) {
        showErrors(form, result.data.errors || {});
        banner(form, result.data.error || "Could not save", "critical");
        return;
      }
      showErrors(form, {});
      form.elements.access_token.value = "";
      var token = result.data.settings.access_token;
      form.querySelector("[data-token-masked]").textContent = token.set ? token.masked : "Not set";
      var pending = result.data.sync && result.data.sync.status === "pending";
      var check = result.data.meta_check;
      if (check && check.verdict === "unreachable") { banner(form, check.message, "warning"); return; }
      var saved = check && check.verdict === "accepted" ? "Saved. " + check.message : "Saved";
      banner(form, pending ? saved + " Sending to your storefront is pending; it will retry." : saved, pending ? "warning" : "success");
    });
  }

  // --- Deliveries: send a test event to Meta ------------------------------------------------
  function bindTestEvent(button) {
    button.addEventListener("click", async function () {
      var out = document.querySelector("[data-test-event-result]");
      button.disabled = true;
      var result = await api("POST", "/api/meta/test-event");
      button.disabled = false;
      out.textContent = result.data.message || result.data.error || "No answer";
      out.className = "sl-banner sl-banner--" + (result.data.ok ? "success" : "critical");
      out.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var testEvent = document.querySelector("[data-send-test-event]");
    if (testEvent) bindTestEvent(testEvent);
    var eventForm = document.querySelector("[data-event-form]");
    if (eventForm) bindEventForm(eventForm);
    var list = document.querySelector("[data-event-list]");
    if (list) bindEventList(list);
    var settingsForm = document.querySelector("[data-settings-form]");
    if (settingsForm) bindSettingsForm(settingsForm);
  });
})();
