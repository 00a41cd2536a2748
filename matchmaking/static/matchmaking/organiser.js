/* Organiser console: a few lines of plain JavaScript, no library.
 * - [data-refresh-url]: fetch the partial every data-refresh-every ms and swap it in
 *   (keeps the grid's scroll position; skipped while a dialog is open or the tab is hidden;
 *   with data-refresh-while-busy, only while the partial holds a [data-busy] marker).
 * - grid cells open one shared dialog with the status buttons (plain links without JS).
 * - [data-autosubmit] forms submit on change; [data-print] prints; [data-confirm] asks first.
 */
(function () {
  "use strict";

  function refresher(box) {
    var url = box.dataset.refreshUrl;
    var every = parseInt(box.dataset.refreshEvery || "15000", 10);
    var whileBusy = box.hasAttribute("data-refresh-while-busy");
    var last = null;
    function tick() {
      if (whileBusy && !box.querySelector("[data-busy]")) return;
      if (document.hidden) return;
      var dialog = document.getElementById("meeting-dialog");
      if (dialog && dialog.open) return;
      fetch(url, { headers: { "X-Requested-With": "fetch" }, cache: "no-cache", credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null || html === last) return;
          last = html;
          var scroller = box.querySelector(".grid-scroll");
          var top = scroller ? scroller.scrollTop : 0;
          var left = scroller ? scroller.scrollLeft : 0;
          box.innerHTML = html;
          scroller = box.querySelector(".grid-scroll");
          if (scroller) { scroller.scrollTop = top; scroller.scrollLeft = left; }
          box.dispatchEvent(new CustomEvent("refreshed", { bubbles: true }));
        })
        .catch(function () { /* offline for a moment: try again next time */ });
    }
    box.refreshNow = tick;
    setInterval(tick, every);
  }
  document.querySelectorAll("[data-refresh-url]").forEach(refresher);

  var dialog = document.getElementById("meeting-dialog");
  if (dialog && typeof dialog.showModal === "function") {
    var labels = {};
    try { labels = JSON.parse(document.getElementById("status-labels").textContent); } catch (e) { /* none */ }
    var form = document.getElementById("meeting-dialog-form");
    document.addEventListener("click", function (ev) {
      var link = ev.target.closest("[data-meeting-link]");
      if (!link) return;
      ev.preventDefault();
      var status = link.dataset.status;
      var details = link.getAttribute("href");
      var id = link.closest("[data-meeting]").dataset.meeting;
      var parties = Array.prototype.map.call(link.querySelectorAll(".who"), function (who) {
        return who.querySelector(".who-name").textContent + " (" + who.querySelector(".who-org").textContent + ")";
      });
      form.action = details + "status/";
      dialog.querySelector("[data-dialog-id]").textContent = "#" + id;
      dialog.querySelector("[data-dialog-parties]").textContent = parties.join(" · ");
      dialog.querySelector("[data-dialog-status]").textContent = labels[status] || status;
      dialog.querySelector("[data-dialog-details]").setAttribute("href", details);
      form.querySelectorAll("button[name=status]").forEach(function (b) {
        b.disabled = b.value === status || status === "cancelled";
      });
      dialog.showModal();
    });
    dialog.querySelector("[data-dialog-close]").addEventListener("click", function () { dialog.close(); });
  }

  document.querySelectorAll("form[data-autosubmit] select").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function () { window.print(); });
  });
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) ev.preventDefault();
  });
})();
