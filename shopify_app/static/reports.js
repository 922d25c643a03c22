// Sightline reports page: reads the reports API with the admin's ID token and draws it with
// Chart.js (shipped in static/vendor, no CDN). State lives in one object; every control changes
// it and calls refresh(). The live feed polls on its own timer.
(function () {
  "use strict";

  var LIVE_EVERY_MS = 3000;
  var NUMBER = new Intl.NumberFormat();
  var state = { start: "", end: "", compare: true, filters: [], dimension: "event_name", interval: "day" };
  var charts = {};
  var labels = {}; // machine name -> display name
  var liveSeen = {};

  function $(selector) { return document.querySelector(selector); }

  async function api(path) {
    var token = await window.sightlineIdToken();
    var response = await fetch(path, { headers: { Authorization: "Bearer " + token } });
    var body = {};
    try { body = await response.json(); } catch (e) { body = { error: "Unexpected reply from the server" }; }
    if (!response.ok) throw new Error(body.error || "Request failed (" + response.status + ")");
    return body;
  }

  function query(extra) {
    var params = new URLSearchParams({ start: state.start, end: state.end });
    if (state.filters.length) {
      params.set("filter", state.filters.map(function (f) { return f.dimension + ":" + f.key; }).join(","));
    }
    Object.keys(extra || {}).forEach(function (k) { params.set(k, extra[k]); });
    return params.toString();
  }

  function showError(message) {
    var el = $("[data-report-error]");
    el.textContent = message || "";
    el.hidden = !message;
  }

  function label(name) { return labels[name] || name; }

  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function fillTable(selector, rows, toCells, onClick) {
    var body = $(selector + " tbody");
    body.textContent = "";
    if (!rows.length) {
      var tr = document.createElement("tr");
      var td = cell("No data in this period.", "sl-empty");
      td.colSpan = $(selector + " thead tr").children.length;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      toCells(row).forEach(function (c) { tr.appendChild(c); });
      if (onClick) {
        tr.tabIndex = 0;
        tr.addEventListener("click", function () { onClick(row); });
        tr.addEventListener("keydown", function (e) { if (e.key === "Enter") onClick(row); });
      }
      body.appendChild(tr);
    });
  }

  function chart(name, config) {
    if (charts[name]) charts[name].destroy();
    var canvas = $("[data-chart=" + name + "]");
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    charts[name] = new window.Chart(canvas, config);
    canvas.dataset.ready = "1";
    return charts[name];
  }

  function axis(title) {
    return { beginAtZero: true, title: { display: true, text: title }, ticks: { precision: 0 } };
  }

  // --- Overview ---------------------------------------------------------------------------
  function formatMetric(name, value) {
    if (name === "conversion_rate") return (100 * value).toFixed(1) + " %";
    if (name === "revenue") return value;
    return NUMBER.format(value);
  }

  async function loadOverview() {
    var body = await api("/api/reports/overview?" + query());
    $("[data-range-label]").textContent = body.start + " – " + body.end + " (" + body.timezone + ")";
    Object.keys(body.metrics).forEach(function (name) {
      var metric = body.metrics[name];
      $("[data-kpi=" + name + "]").textContent = formatMetric(name, metric.value);
      var delta = $("[data-delta=" + name + "]");
      delta.className = "sl-delta";
      if (!state.compare) { delta.textContent = ""; return; }
      var now = Number(metric.value), before = Number(metric.previous);
      var change = before ? Math.round((100 * (now - before)) / before) : null;
      delta.textContent = "Previous: " + formatMetric(name, metric.previous) +
        (change === null ? "" : " (" + (change >= 0 ? "+" : "") + change + " %)");
      if (change) delta.classList.add(change > 0 ? "is-up" : "is-down");
    });
  }

  // --- Time series ------------------------------------------------------------------------
  function previousRange() {
    var start = new Date(state.start + "T00:00:00Z"), end = new Date(state.end + "T00:00:00Z");
    var days = Math.round((end - start) / 86400000) + 1;
    var prevEnd = new Date(start.getTime() - 86400000), prevStart = new Date(start.getTime() - days * 86400000);
    return { start: prevStart.toISOString().slice(0, 10), end: prevEnd.toISOString().slice(0, 10) };
  }

  async function loadTimeseries() {
    var hourly = state.interval === "hour";
    var params = hourly ? hourlyQuery() : query({ interval: "day" });
    var body = await api("/api/reports/timeseries?" + params);
    var xs = body.points.map(function (p) { return hourly ? p.bucket.slice(5, 13).replace("T", " ") + ":00" : p.bucket; });
    var datasets = [
      { label: "Events", data: body.points.map(function (p) { return p.events; }), borderColor: "#5c6ac4", backgroundColor: "#5c6ac4", tension: 0.2 },
      { label: "Sessions", data: body.points.map(function (p) { return p.sessions; }), borderColor: "#29845a", backgroundColor: "#29845a", tension: 0.2 },
    ];
    if (state.compare && !hourly) {
      var prev = previousRange();
      var params2 = new URLSearchParams(query({ interval: "day" }));
      params2.set("start", prev.start); params2.set("end", prev.end);
      var before = await api("/api/reports/timeseries?" + params2.toString());
      datasets.push({ label: "Events, previous period", data: before.points.map(function (p) { return p.events; }),
        borderColor: "#9ea6e0", borderDash: [5, 4], pointRadius: 0, tension: 0.2 });
    }
    chart("timeseries", {
      type: "line",
      data: { labels: xs, datasets: datasets },
      options: { scales: { x: { title: { display: true, text: hourly ? "Hour (shop time)" : "Day (shop time)" } }, y: axis("Count") },
        interaction: { mode: "index", intersect: false } },
    });
  }

  function hourlyQuery() {
    var params = new URLSearchParams(query({ interval: "hour", days: "2" }));
    params.delete("start"); params.delete("end");
    return params.toString();
  }

  // --- Breakdown --------------------------------------------------------------------------
  async function loadBreakdown() {
    var body = await api("/api/reports/breakdown?" + query({ dimension: state.dimension, limit: "20" }));
    $("[data-dimension-label]").textContent = body.dimension_label;
    chart("breakdown", {
      type: "bar",
      data: { labels: body.rows.map(function (r) { return r.label; }),
        datasets: [{ label: "Events", data: body.rows.map(function (r) { return r.events; }), backgroundColor: "#5c6ac4", maxBarThickness: 28 }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } },
        scales: { x: axis("Events"), y: { title: { display: true, text: body.dimension_label } } },
        onClick: function (_e, items) { if (items.length) addFilter(body.dimension, body.rows[items[0].index]); } },
    });
    fillTable("[data-breakdown-table]", body.rows, function (r) {
      return [cell(r.label), cell(NUMBER.format(r.events), "sl-num"), cell(NUMBER.format(r.sessions), "sl-num"),
        cell(NUMBER.format(r.purchases), "sl-num"), cell(r.revenue, "sl-num")];
    }, function (r) { addFilter(body.dimension, r); });
  }

  function addFilter(dimension, row) {
    var exists = state.filters.some(function (f) { return f.dimension === dimension && f.key === row.key; });
    if (!exists) state.filters.push({ dimension: dimension, key: row.key, label: row.label });
    refresh();
  }

  function renderFilters() {
    var holder = $("[data-filter-chips]");
    holder.textContent = "";
    state.filters.forEach(function (f, i) {
      var chip = document.createElement("span");
      chip.className = "sl-chip";
      chip.dataset.filterChip = f.dimension + ":" + f.key;
      var dimLabel = $("[data-dimension] option[value=" + f.dimension + "]");
      chip.textContent = (dimLabel ? dimLabel.textContent : f.dimension) + ": " + f.label;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", "Remove filter");
      remove.addEventListener("click", function () { state.filters.splice(i, 1); refresh(); });
      chip.appendChild(remove);
      holder.appendChild(chip);
    });
    $("[data-filters]").hidden = !state.filters.length;
  }

  // --- Funnel -----------------------------------------------------------------------------
  async function loadFunnel() {
    var steps = Array.prototype.map.call(document.querySelectorAll("[data-funnel-step]"), function (s) { return s.value; })
      .filter(Boolean);
    if (steps.length < 2) { fillTable("[data-funnel-table]", [], function () { return []; }); return; }
    var params = new URLSearchParams(query({ steps: steps.join(",") }));
    params.delete("filter");
    var body = await api("/api/reports/funnel?" + params.toString());
    chart("funnel", {
      type: "bar",
      data: { labels: body.steps.map(function (s) { return s.label; }),
        datasets: [{ label: "Sessions", data: body.steps.map(function (s) { return s.sessions; }), backgroundColor: "#29845a" }] },
      options: { plugins: { legend: { display: false } }, scales: { x: { title: { display: true, text: "Step" } }, y: axis("Sessions") } },
    });
    fillTable("[data-funnel-table]", body.steps, function (s) {
      return [cell(s.label), cell(NUMBER.format(s.sessions), "sl-num"), cell((100 * s.conversion).toFixed(1) + " %", "sl-num"),
        cell(NUMBER.format(s.drop_off) + " (" + (100 * s.drop_off_rate).toFixed(1) + " %)", "sl-num")];
    });
    var section = $("[data-funnel]");
    section.dataset.runs = String(Number(section.dataset.runs || 0) + 1);
  }

  // --- Pages and attribution --------------------------------------------------------------
  async function loadPages() {
    var params = new URLSearchParams(query({ limit: "10" }));
    params.delete("filter");
    var body = await api("/api/reports/pages?" + params.toString());
    fillTable("[data-pages-table]", body.rows, function (r) {
      return [cell(r.path, "sl-url"), cell(NUMBER.format(r.views), "sl-num"), cell(NUMBER.format(r.sessions), "sl-num")];
    });
  }

  async function loadAttribution() {
    var params = new URLSearchParams(query({ limit: "10" }));
    params.delete("filter");
    var body = await api("/api/reports/attribution?" + params.toString());
    fillTable("[data-attribution-table]", body.rows, function (r) {
      var none = r.utm_source === "(none)" && r.utm_medium === "(none)" && r.utm_campaign === "(none)";
      return [cell(none ? "Direct (no UTM or click id)" : [r.utm_source, r.utm_medium, r.utm_campaign].join(" / ")), cell(NUMBER.format(r.sessions), "sl-num"),
        cell(NUMBER.format(r.purchases), "sl-num"), cell(r.revenue, "sl-num")];
    });
  }

  // --- Live -------------------------------------------------------------------------------
  async function loadLive() {
    try {
      var body = await api("/api/reports/live?minutes=5");
      fillTable("[data-live-table]", body.events, function (e) {
        return [cell(e.local_time), cell(e.label), cell(e.url || "", "sl-url"), cell(e.device_type || ""), cell(e.country || "")];
      });
      var rows = document.querySelectorAll("[data-live-table] tbody tr");
      body.events.forEach(function (e, i) {
        if (!liveSeen[e.id] && rows[i]) rows[i].classList.add("sl-live-new");
        if (rows[i]) rows[i].dataset.eventId = e.id;
        liveSeen[e.id] = true;
      });
      $("[data-live-status]").textContent = body.events.length + " event(s) · updated " + new Date().toLocaleTimeString();
    } catch (err) {
      $("[data-live-status]").textContent = "Live view paused: " + err.message;
    }
  }

  // --- Export -----------------------------------------------------------------------------
  async function exportCsv() {
    var params = new URLSearchParams(query());
    params.delete("filter");
    var token = await window.sightlineIdToken();
    var response = await fetch("/api/reports/export.csv?" + params.toString(), { headers: { Authorization: "Bearer " + token } });
    if (!response.ok) { showError("The export failed (" + response.status + ")"); return; }
    var link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = "sightline-events-" + state.start + "-" + state.end + ".csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  // --- Wiring -----------------------------------------------------------------------------
  async function refresh() {
    renderFilters();
    showError("");
    document.body.dataset.reportsLoading = "1";
    try {
      await Promise.all([loadOverview(), loadTimeseries(), loadBreakdown(), loadFunnel(), loadPages(), loadAttribution()]);
    } catch (err) {
      showError(err.message);
    } finally {
      delete document.body.dataset.reportsLoading;
      document.body.dataset.reportsLoaded = String(Number(document.body.dataset.reportsLoaded || 0) + 1);
    }
  }

  function setPreset(days) {
    var endText = $("[data-end]").dataset.today; // the shop's today, as the server rendered it
    var end = new Date(endText + "T00:00:00Z");
    var start = new Date(end.getTime() - (days - 1) * 86400000);
    $("[data-start]").value = start.toISOString().slice(0, 10);
    $("[data-end]").value = endText;
    document.querySelectorAll("[data-preset]").forEach(function (b) {
      b.classList.toggle("sl-button--primary", Number(b.dataset.preset) === days);
    });
  }

  function readRange() {
    state.start = $("[data-start]").value;
    state.end = $("[data-end]").value;
    state.compare = $("[data-compare]").checked;
  }

  function init() {
    if (!$("[data-range-form]") || !window.Chart) return;
    labels = {};
    document.querySelectorAll("[data-funnel-step] option").forEach(function (o) { if (o.value) labels[o.value] = o.textContent; });
    $("[data-end]").dataset.today = $("[data-end]").value;
    readRange();
    $("[data-range-form]").addEventListener("submit", function (e) {
      e.preventDefault();
      readRange();
      document.querySelectorAll("[data-preset]").forEach(function (b) { b.classList.remove("sl-button--primary"); });
      refresh();
    });
    document.querySelectorAll("[data-preset]").forEach(function (button) {
      button.addEventListener("click", function () { setPreset(Number(button.dataset.preset)); readRange(); refresh(); });
    });
    $("[data-compare]").addEventListener("change", function () { readRange(); refresh(); });
    $("[data-dimension]").addEventListener("change", function (e) { state.dimension = e.target.value; refresh(); });
    $("[data-interval]").addEventListener("change", function (e) { state.interval = e.target.value; refresh(); });
    $("[data-clear-filters]").addEventListener("click", function () { state.filters = []; refresh(); });
    $("[data-funnel-run]").addEventListener("click", function () { loadFunnel().catch(function (err) { showError(err.message); }); });
    $("[data-export]").addEventListener("click", function () { exportCsv().catch(function (err) { showError(err.message); }); });
    refresh();
    loadLive();
    setInterval(loadLive, LIVE_EVERY_MS);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
