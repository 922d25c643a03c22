/* Runs in <head> right after App Bridge. Inside the admin frame with App Bridge loaded, the
   admin draws the navigation; otherwise (local runs, CDN unreachable) our own bar shows, and
   same-origin fetches carry the page's ID token as App Bridge would add it. */
(function () {
  "use strict";
  var root = document.documentElement;
  var framed = window.top !== window.self;
  if (window.shopify && framed) {
    root.classList.remove("sl-standalone");
    root.classList.add("sl-embedded");
  }
  var launchToken = new URLSearchParams(window.location.search).get("id_token");

  /* Pages ask for a token here; App Bridge's when present, else the one this page loaded with. */
  window.sightlineIdToken = function () {
    if (window.shopify && typeof window.shopify.idToken === "function") {
      return window.shopify.idToken();
    }
    return Promise.resolve(launchToken);
  };

  if (!window.shopify && launchToken && window.fetch) {
    var originalFetch = window.fetch.bind(window);
    window.fetch = function (input, init) {
      var url = new URL(typeof input === "string" ? input : input.url, window.location.href);
      if (url.origin !== window.location.origin) {
        return originalFetch(input, init);
      }
      var options = Object.assign({}, init || {});
      var headers = new Headers(options.headers || (typeof input === "string" ? undefined : input.headers));
      if (!headers.has("Authorization")) {
        headers.set("Authorization", "Bearer " + launchToken);
      }
      options.headers = headers;
      return originalFetch(input, options);
    };
  }

  /* Until Polaris defines <s-button>, make href buttons behave as links and all of them
     reachable from the keyboard. */
  document.addEventListener("DOMContentLoaded", function () {
    if (window.customElements && window.customElements.get("s-button")) {
      return;
    }
    document.querySelectorAll("s-button").forEach(function (button) {
      button.setAttribute("tabindex", "0");
      button.setAttribute("role", button.hasAttribute("href") ? "link" : "button");
      var activate = function () {
        if (button.hasAttribute("href")) {
          window.location.href = button.getAttribute("href");
        }
      };
      button.addEventListener("click", activate);
      button.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          button.click();
        }
      });
    });
  });
})();
