/*
 * Sightline storefront picker: the readable source of theme_extension/assets/sightline-picker.js
 * (built by tracker/build.mjs). The tracker loads it only in picker mode: a URL fragment
 * `#sightline-picker=<token>` from the admin's "Pick on my storefront", or a picker already
 * started in this tab (sessionStorage), so a merchant can browse to another page and go on.
 *
 * Nothing happens until the app confirms the token through the shop's own app proxy: an expired
 * or foreign token shows a notice and the page stays as it is. Then hovering outlines elements;
 * a click (which does not follow the link) proposes a selector built from what themes keep
 * stable (ids, data-* attributes, class names that do not look generated) and uses nth-child
 * only when nothing stable exists. The panel shows how many elements match, widens to the parent
 * or narrows to a child, sets the trigger and the pages, and "Use this" posts the choice to the
 * app, where the admin tab picks it up. The panel lives in a shadow root so theme CSS cannot
 * reach it.
 */
(function (win, doc) {
  var KEY = "_sl_picker";
  var CHOOSABLE = "a,button,[role=button],input,select,textarea,summary,label";
  var MANY = 100; // from here on a selector probably catches more than the merchant meant
  var config = JSON.parse(doc.getElementById("sightline-config").textContent);
  var root = (config.root || "/").replace(/\/$/, "");
  var endpoint = root + "/apps/sightline/picker/";
  var found = location.hash.match(/sightline-picker=([\w.-]+)/);
  var token = found ? found[1] : read();
  var host, shadow, panel, outline, marks, current, widened = [], paused = false, confirmNext;
  var frame = 0;

  function read() {
    try { return sessionStorage.getItem(KEY); } catch (e) { return null; }
  }
  function remember(value) {
    try {
      if (value) sessionStorage.setItem(KEY, value); else sessionStorage.removeItem(KEY);
    } catch (e) { /* storage blocked: the picker lasts for this page only */ }
  }
  if (!token || win.SightlinePicker) return;
  win.SightlinePicker = true;
  // The token leaves the address bar (and so copied links and screenshots) at once.
  if (found) history.replaceState(null, "", location.pathname + location.search);

  // ---- selectors -------------------------------------------------------------------------

  // Generated names change with every theme build: long digit runs, hex, CSS-in-JS prefixes,
  // CSS-module suffixes, Shopify's section ids, and random-looking mixed case.
  function stable(word) {
    return word.length <= 40 &&
      !/\d{3,}|[0-9a-f]{8,}|^(css|sc|jsx|svelte|emotion|styled|chakra|tw)-|template--|shopify-section|\d[a-z]+\d/i.test(word) &&
      !/_[^_]*\d[^_]*$/.test(word) && !(word.replace(/[^A-Z]/g, "").length >= 3 && !/[-_]/.test(word));
  }
  // State classes come and go with the shopper's interaction.
  function stableClass(name) {
    return stable(name) && !/^(is-|has-)|active|hover|focus|open|selected|current|loading|loaded|animate|visible|hidden|disabled/.test(name);
  }
  function quote(value) {
    return '"' + value.replace(/["\\]/g, "\\$&") + '"';
  }
  function matches(selector) {
    try {
      return [].filter.call(doc.querySelectorAll(selector), function (el) { return el != host; });
    } catch (e) {
      return null; // not a selector this browser can parse
    }
  }
  function count(selector) {
    var list = matches(selector);
    return list ? list.length : -1;
  }
  // The shortest of the candidates that matches exactly what the longest one does.
  function shortest(tag, candidates) {
    var full = count(tag + candidates.join(""));
    for (var i = 0; i < candidates.length; i++) {
      if (count(candidates[i]) == full) return candidates[i];
      if (count(tag + candidates[i]) == full) return tag + candidates[i];
    }
    return tag + candidates.join("");
  }
  function sitePath(value) {
    try {
      var url = new URL(value, location.href);
      return url.origin == location.origin ? url.pathname : null;
    } catch (e) {
      return null;
    }
  }

  // One element's own stable description, or null when it has nothing stable but its tag.
  function part(el) {
    var tag = el.tagName.toLowerCase(), name = el.getAttribute("name"), path, i, attribute;
    if (el.id && stable(el.id) && count("#" + CSS.escape(el.id)) == 1) return "#" + CSS.escape(el.id);
    for (i = 0; i < el.attributes.length; i++) {
      attribute = el.attributes[i];
      if (/^data-/.test(attribute.name) && !/^data-(sl|v-|react|turbo|aos)/.test(attribute.name) &&
          (!attribute.value || (stable(attribute.value) && !/^(true|false)$/.test(attribute.value)))) {
        return shortest(tag, ["[" + CSS.escape(attribute.name) + (attribute.value ? "=" + quote(attribute.value) : "") + "]"]);
      }
    }
    var classes = [].filter.call(el.classList, stableClass).slice(0, 3).map(function (c) {
      return "." + CSS.escape(c);
    });
    if (classes.length) return shortest(tag, classes);
    if (name && stable(name)) return tag + "[name=" + quote(name) + "]";
    if (tag == "form" && (path = sitePath(el.getAttribute("action") || ""))) {
      return "form[action$=" + quote(path.slice(root.length) || "/") + "]";
    }
    if (tag == "a" && (path = sitePath(el.getAttribute("href") || "")) && stable(path)) {
      return "a[href$=" + quote(path.slice(root.length) || "/") + "]";
    }
    return null;
  }

  function propose(el) {
    var own = part(el), selector = own || el.tagName.toLowerCase(), parent = el.parentElement;
    var context, depth = 0;
    if (own && own.charAt(0) == "#") return own;
    // Stable ancestors narrow a description that catches elements elsewhere on the page.
    while (parent && parent != doc.body && depth++ < 6 && count(selector) > 1) {
      context = part(parent);
      if (context && count(context + " " + selector) < count(selector)) selector = context + " " + selector;
      parent = parent.parentElement;
    }
    return own || count(selector) == 1 ? selector : positional(el);
  }

  // Last resort: nth-child steps up to the nearest ancestor that is unique by a stable name.
  function positional(el) {
    var steps = [], anchor;
    while (el && el != doc.body) {
      anchor = part(el);
      if (anchor && count(anchor) == 1) return [anchor].concat(steps).join(" > ");
      steps.unshift(el.tagName.toLowerCase() + ":nth-child(" + ([].indexOf.call(el.parentElement.children, el) + 1) + ")");
      el = el.parentElement;
    }
    return ["body"].concat(steps).join(" > ");
  }

  function defaultTrigger(el) {
    var tag = el.tagName;
    if (tag == "FORM") return "submit";
    if (tag == "SELECT" || (tag == "INPUT" && /^(checkbox|radio)$/.test(el.type))) return "change";
    if (tag == "TEXTAREA" || (tag == "INPUT" && !/^(submit|button|image|reset)$/.test(el.type))) return "focus";
    return "click";
  }

  // ---- panel -----------------------------------------------------------------------------

  var STYLE =
    ":host{all:initial}" +
    "*{box-sizing:border-box;font:13px/1.4 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,sans-serif;color:#202223}" +
    ".box{position:fixed;pointer-events:none;z-index:2147483646;border-radius:3px}" +
    ".hover{outline:2px solid #2c6ecb;background:rgba(44,110,203,.12)}" +
    ".mark{outline:2px dashed #008060;background:rgba(0,128,96,.10)}" +
    ".panel{position:fixed;right:16px;bottom:16px;width:340px;max-height:calc(100vh - 32px);overflow:auto;z-index:2147483647;" +
    "background:#fff;border:1px solid #c9cccf;border-radius:12px;box-shadow:0 8px 28px rgba(0,0,0,.22);padding:14px}" +
    "header{display:flex;align-items:center;gap:8px;margin-bottom:8px}header strong{font-weight:650;flex:1}" +
    ".brand{color:#fff;background:#2c6ecb;border-radius:6px;padding:1px 7px;font-weight:650}" +
    "p{margin:6px 0}label{display:block;margin:8px 0 2px;font-weight:600}" +
    "input[type=text],select{width:100%;padding:6px 8px;border:1px solid #8c9196;border-radius:6px;background:#fff;font-family:ui-monospace,Menlo,monospace}" +
    "select{font-family:inherit}" +
    ".row{display:flex;gap:6px;margin-top:8px;flex-wrap:wrap}" +
    "button{cursor:pointer;padding:6px 10px;border:1px solid #8c9196;border-radius:6px;background:#fff;font-weight:600}" +
    "button:hover{background:#f6f6f7}button:disabled{opacity:.5;cursor:default}" +
    ".primary{background:#008060;border-color:#006e52;color:#fff;width:100%;margin-top:12px;padding:8px}.primary:hover{background:#006e52}" +
    ".close{border:0;font-size:18px;line-height:1;padding:2px 6px}" +
    ".count{font-weight:600}.warn{color:#8a6116;background:#fff5ea;border-radius:6px;padding:6px 8px}" +
    ".error{color:#d72c0d;background:#fff4f4;border-radius:6px;padding:6px 8px}.ok{color:#007f5f}" +
    ".pause{display:flex;gap:6px;align-items:center;font-weight:400;margin-top:10px}.muted{color:#6d7175}";

  var LABELS = { click: "Click", submit: "Form submit", change: "Field change", focus: "Field focus" };

  function element(tag, attributes, text) {
    var el = doc.createElement(tag);
    for (var name in attributes) el.setAttribute(name, attributes[name]);
    if (text) el.textContent = text;
    return el;
  }
  function $(selector) {
    return shadow.querySelector(selector);
  }
  function status(text, tone) {
    var el = $(".status");
    el.textContent = text;
    el.className = "status " + (tone || "muted");
  }

  function build() {
    host = element("div", { id: "sightline-picker" });
    shadow = host.attachShadow({ mode: "open" });
    shadow.appendChild(element("style", {}, STYLE));
    outline = shadow.appendChild(element("div", { class: "box hover", hidden: "" }));
    marks = shadow.appendChild(element("div", {}));
    panel = shadow.appendChild(element("div", { class: "panel", role: "dialog", "aria-label": "Sightline element picker" }));
    panel.innerHTML =
      '<header><span class="brand">Sightline</span><strong>Pick an element</strong>' +
      '<button class="close" data-act="close" aria-label="Close the picker">×</button></header>' +
      '<p class="hint muted">Hover over your page and click the element shoppers use. Links and buttons do not act while you pick.</p>' +
      '<div class="chosen" hidden>' +
      '<label for="sl-selector">CSS selector</label><input type="text" id="sl-selector" class="selector" spellcheck="false">' +
      '<p class="count" role="status"></p>' +
      '<div class="row"><button data-act="parent" title="Choose the element around it">Wider (parent)</button>' +
      '<button data-act="child" title="Choose an element inside it">Narrower (child)</button>' +
      '<button data-act="again">Pick again</button></div>' +
      '<label for="sl-trigger">Trigger</label><select id="sl-trigger" class="trigger"></select>' +
      '<label for="sl-pages">Pages</label><select id="sl-pages" class="pages"></select>' +
      '<button class="primary" data-act="use">Use this</button></div>' +
      '<p class="status muted" role="status"></p>' +
      '<label class="pause"><input type="checkbox" class="paused"> Pause picking to browse your store</label>';
    for (var value in LABELS) $(".trigger").appendChild(element("option", { value: value }, LABELS[value]));
    var path = location.pathname.slice(root.length) || "/", type = config.page_type;
    if (type) $(".pages").appendChild(element("option", { value: type }, type.replace(/[_/]/g, " ") + " pages (like this one)"));
    $(".pages").appendChild(element("option", { value: "all" }, "All pages"));
    $(".pages").appendChild(element("option", { value: "custom", "data-url": path }, "Only " + path));
    doc.body.appendChild(host);
    panel.addEventListener("click", onPanelClick);
    $(".selector").addEventListener("input", function () { show($(".selector").value.trim()); });
    $(".trigger").addEventListener("change", function () {
      var form = current && current.closest("form");
      if ($(".trigger").value == "submit" && current.tagName != "FORM" && form) choose(form, "submit");
    });
    $(".paused").addEventListener("change", function () {
      paused = $(".paused").checked;
      outline.hidden = true;
      status(paused ? "Paused: links work. Untick to pick again." : "");
    });
  }

  function place(box, el) {
    var rect = el.getBoundingClientRect();
    box.style.cssText = "left:" + rect.left + "px;top:" + rect.top + "px;width:" + rect.width + "px;height:" + rect.height + "px";
    box.hidden = false;
  }

  // The matches of the selector, outlined (the first 200) and counted, with a warning for none
  // or for so many that the event would probably fire on more than the merchant meant.
  function show(selector) {
    var list = matches(selector), text, tone = "count";
    marks.textContent = "";
    (list || []).slice(0, 200).forEach(function (el) { place(marks.appendChild(element("div", { class: "box mark" })), el); });
    confirmNext = false;
    $("[data-act=use]").textContent = "Use this";
    $("[data-act=use]").disabled = !list;
    if (!list) text = "This is not a valid CSS selector.", tone = "error";
    else if (!list.length) text = "Matches nothing on this page. The event would not fire here.", tone = "warn";
    else if (list.length >= MANY) text = list.length + " elements match: probably far more than you meant. Narrow it down.", tone = "warn";
    else text = list.length == 1 ? "1 element on this page matches." : list.length + " elements on this page match.";
    $(".count").textContent = text;
    $(".count").className = "count " + tone;
    $(".count").dataset.matches = list ? list.length : "";
  }

  function choose(el, trigger) {
    current = el;
    var selector = propose(el);
    $(".chosen").hidden = false;
    $(".hint").hidden = true;
    $(".selector").value = selector;
    $(".trigger").value = trigger || defaultTrigger(el);
    status("");
    show(selector);
  }

  function onPanelClick(event) {
    var act = event.target.closest("[data-act]");
    act = act && act.dataset.act;
    if (act == "close") return stop("Picker closed.");
    if (act == "again") {
      $(".chosen").hidden = true;
      $(".hint").hidden = false;
      marks.textContent = "";
      return status("");
    }
    if (act == "parent" && current && current.parentElement && current.parentElement != doc.body) {
      widened.push(current);
      choose(current.parentElement);
    } else if (act == "child" && current) {
      var child = widened.pop() || current.firstElementChild;
      if (child) choose(child); else status("This element has nothing inside it to choose.", "warn");
    } else if (act == "use") {
      use();
    }
  }

  function use() {
    var selector = $(".selector").value.trim(), list = matches(selector), pages = $(".pages");
    if (!list) return;
    if ((!list.length || list.length >= MANY) && !confirmNext) {
      confirmNext = true;
      $("[data-act=use]").textContent = "Use anyway";
      return status("Check the warning above, then choose “Use anyway” if this is what you want.", "warn");
    }
    var option = pages.options[pages.selectedIndex];
    send({
      token: token, selector: selector, event_type: $(".trigger").value, page_type: pages.value,
      page_url: pages.value == "custom" ? option.dataset.url : null, url: location.href, match_count: list.length
    });
  }

  function send(body) {
    status("Sending…");
    fetch(endpoint + "selection", {
      method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "text/plain" }
    }).then(function (response) {
      if (response.status == 403) return refuse();
      if (!response.ok) throw 0;
      status("Sent to Sightline ✓ In the admin tab, check the event and save it. Then close the picker, click the element here and watch it arrive.", "ok");
      panel.querySelector("[data-act=use]").textContent = "Use this";
    }).catch(function () {
      status("Could not reach Sightline. Check your connection and try again.", "error");
    });
  }

  function refuse() {
    remember(null);
    stop("This picker link has expired or is not for this store. Open the picker again from Sightline.", "error");
  }

  // Ends picking; the page works as usual again (the tracker was never stopped).
  function stop(message, tone) {
    picking(false);
    remember(null);
    if (host) host.remove();
    var note = element("div", { id: "sightline-picker", role: "status" });
    note.attachShadow({ mode: "open" }).innerHTML = "<style>" + STYLE + "</style>" +
      '<div class="panel"><header><span class="brand">Sightline</span><strong>Picker</strong>' +
      '<button class="close" aria-label="Dismiss">×</button></header><p class="' + (tone || "muted") + '"></p></div>';
    note.shadowRoot.querySelector("p").textContent = message;
    note.shadowRoot.querySelector(".close").onclick = function () { note.remove(); };
    doc.body.appendChild(note);
  }

  // ---- page events -----------------------------------------------------------------------

  function ours(event) {
    return !host || event.composedPath().indexOf(host) >= 0;
  }
  function target(event) {
    var el = event.target;
    return el.closest ? el.closest(CHOOSABLE) || el : null;
  }
  function onMove(event) {
    if (paused || ours(event)) return (outline.hidden = true);
    var el = target(event);
    if (el) place(outline, el);
  }
  // Picking must not follow links, submit forms or open menus: the page never sees the press.
  function onPress(event) {
    if (paused || ours(event)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (event.type == "click" && target(event)) {
      widened = [];
      choose(target(event));
    }
  }
  function onScroll() {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(function () {
      outline.hidden = true;
      if (current && !$(".chosen").hidden) show($(".selector").value.trim());
    });
  }
  var PRESSES = ["click", "mousedown", "mouseup", "pointerdown", "pointerup", "submit", "auxclick", "dblclick"];
  function picking(on) {
    var method = on ? "addEventListener" : "removeEventListener";
    PRESSES.forEach(function (type) { win[method](type, onPress, true); });
    win[method]("mouseover", onMove, true);
    win[method]("scroll", onScroll, true);
    win[method]("resize", onScroll);
  }

  function start() {
    remember(token);
    build();
    picking(true);
  }

  function ready(then) {
    if (doc.readyState == "loading") doc.addEventListener("DOMContentLoaded", then); else then();
  }

  fetch(endpoint + "session?token=" + encodeURIComponent(token), { cache: "no-store" })
    .then(function (response) {
      ready(response.ok ? start : response.status == 403 ? refuse : function () {
        stop("Sightline could not be reached, so the picker did not start. Reload to try again.", "error");
      });
    })
    .catch(function () {
      ready(function () { stop("Sightline could not be reached, so the picker did not start. Reload to try again.", "error"); });
    });
})(window, document);
