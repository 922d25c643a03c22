/* The home page's "Retry now": write the storefront config again and show the outcome. */
(function () {
  "use strict";
  document.querySelectorAll("[data-sync-retry]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (button.hasAttribute("disabled")) {
        return;
      }
      button.setAttribute("disabled", "");
      window.sightlineIdToken()
        .then(function (token) {
          return fetch("/config-sync", {
            method: "POST",
            headers: { Authorization: "Bearer " + token, Accept: "application/json" },
          });
        })
        .then(function (response) {
          return response.json();
        })
        .then(function (result) {
          var section = document.querySelector("[data-config-sync]");
          var message = document.createElement("s-paragraph");
          message.setAttribute("data-sync-state", result.synced ? "synced" : "pending");
          message.textContent = result.synced
            ? "Your storefront has the latest configuration."
            : "Still not synced: " + (result.error || "Shopify did not accept the change") + ".";
          section.replaceChildren(message);
        })
        .catch(function () {
          button.removeAttribute("disabled");
        });
    });
  });
})();
