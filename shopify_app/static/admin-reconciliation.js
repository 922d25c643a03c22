// Reconciliation page: Check and Repair call the API, then the page reloads to show the stored
// result (the table shows exactly what the API answered; the server renders it).
(function () {
  "use strict";

  async function run(button, method, path) {
    var out = document.querySelector("[data-reconcile-result]");
    button.disabled = true;
    var result = await window.sightlineApi(method, path);
    if (!result.ok) {
      button.disabled = false;
      out.textContent = result.data.error || "The check failed";
      out.className = "sl-banner sl-banner--critical";
      out.hidden = false;
      return;
    }
    window.location.reload();
  }

  document.addEventListener("click", function (event) {
    var check = event.target.closest("[data-reconcile-check]");
    if (check) run(check, "GET", "/api/reconciliation?date=" + check.dataset.reconcileCheck);
    var repair = event.target.closest("[data-reconcile-repair]");
    if (repair) run(repair, "POST", "/api/reconciliation/repair?date=" + repair.dataset.reconcileRepair);
  });
})();
