/* Organiser console: a few lines of plain JavaScript, no library.
 * - [data-refresh-url]: fetch the partial every data-refresh-every ms and swap it in
 *   (keeps the grid's scroll position; skipped while a dialog is open or the tab is hidden;
 *   with data-refresh-while-busy, only while the partial holds a [data-busy] marker).
 * - grid cells open one shared dialog with the meeting's day, time, table, parties and the
 *   status buttons the rules allow now by the server's clock (plain links without JS); it
 *   posts the meeting's version the grid shows, so a stale grid cannot overwrite a change.
 * - [data-autosubmit] forms submit on a change made with the mouse or touch; after a change
 *   made with the keyboard, Enter or the form's button submits (arrows only move the choice).
 * - [data-busy-label] forms: once submitted, the button is disabled and shows the label (a
 *   second click does not post again); [data-print] prints; [data-confirm] asks first.
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
      if (box.querySelector("form[data-posting]")) return;  // a post is on its way: keep its form
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

  // the grid opens on the slot under way (#grid-now, marked by the server during the fair)
  var nowSlot = document.getElementById("grid-now");
  if (nowSlot && !location.hash && nowSlot.scrollIntoView) {
    nowSlot.scrollIntoView({ block: "nearest", inline: "center" });
  }

  var dialog = document.getElementById("meeting-dialog");
  // the server's clock minus the desk's, from the time the page was made (data-server-now, ms)
  var clockOffset = 0;
  if (dialog && dialog.dataset.serverNow) {
    clockOffset = parseInt(dialog.dataset.serverNow, 10) - Date.now();
  }
  if (dialog && typeof dialog.showModal === "function") {
    var labels = {};
    try { labels = JSON.parse(document.getElementById("status-labels").textContent); } catch (e) { /* none */ }
    var absentLabel = "%(name)s";
    try { absentLabel = JSON.parse(document.getElementById("absent-label").textContent); } catch (e) { /* none */ }
    var form = document.getElementById("meeting-dialog-form");
    var early = dialog.querySelector("[data-dialog-early]");
    document.addEventListener("click", function (ev) {
      var link = ev.target.closest("[data-meeting-link]");
      if (!link) return;
      ev.preventDefault();
      var status = link.dataset.status;
      var details = link.getAttribute("href");
      var cell = link.closest("[data-meeting]");
      var id = cell.dataset.meeting;
      var table = cell.closest("table");
      var slot = table && table.tHead ? table.tHead.rows[0].cells[cell.cellIndex] : null;
      var row = cell.parentElement.querySelector("[data-table]");
      form.action = details + "status/";
      // the version the grid shows: a meeting someone changed since keeps its status (409)
      var version = form.querySelector("[data-dialog-version]");
      if (version) version.value = link.dataset.version || "";
      dialog.querySelector("[data-dialog-id]").textContent = "#" + id;
      dialog.querySelector("[data-dialog-day]").textContent = dialog.dataset.day || "";
      dialog.querySelector("[data-dialog-time]").textContent = slot ? slot.dataset.time || "" : "";
      dialog.querySelector("[data-dialog-table]").textContent = row ? row.dataset.table : "";
      var list = dialog.querySelector("[data-dialog-parties]");
      list.textContent = "";
      link.querySelectorAll(".who").forEach(function (who) {
        var item = document.createElement("li");
        var name = document.createElement("strong");
        var org = document.createElement("span");
        name.textContent = who.querySelector(".who-name").textContent;
        name.dir = "auto";
        org.textContent = who.querySelector(".who-org").textContent;
        org.dir = "auto";
        org.className = "muted";
        item.appendChild(name);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(org);
        list.appendChild(item);
      });
      // who did not come to a no-show: the parties' names, the cell's current choice
      var absent = dialog.querySelector("[data-dialog-absent]");
      if (absent) {
        var names = link.querySelectorAll(".who-name");
        absent.querySelectorAll("option[data-party]").forEach(function (opt) {
          var who = names[parseInt(opt.dataset.party, 10)];
          opt.textContent = absentLabel.replace("%(name)s", who ? who.textContent : "");
        });
        absent.value = link.dataset.absent || "";
      }
      dialog.querySelector("[data-dialog-status]").textContent = labels[status] || status;
      dialog.querySelector("[data-dialog-details]").setAttribute("href", details);
      // what the rules refuse now (the server checks again): check-in from data-opens,
      // held and no-show from the slot's start, by the server's clock (the desk's may be wrong)
      var now = Date.now() + clockOffset + 10 * 1000;
      var opens = slot ? Date.parse(slot.dataset.opens) : NaN;
      var start = slot ? Date.parse(slot.dataset.start) : NaN;
      var tooEarly = false;
      form.querySelectorAll("button[name=status]").forEach(function (b) {
        var notYet = (b.value === "checked_in" && now < opens) ||
          ((b.value === "held" || b.value === "no_show") && now < start);
        tooEarly = tooEarly || notYet;
        // a no-show again corrects who did not come
        b.disabled = (b.value === status && status !== "no_show") || status === "cancelled" || notYet;
      });
      if (early) early.hidden = !tooEarly || status === "cancelled";
      dialog.showModal();
      var close = dialog.querySelector("[data-dialog-close]");
      if (close && document.activeElement !== close) close.focus();
    });
    dialog.querySelector("[data-dialog-close]").addEventListener("click", function () { dialog.close(); });
  }

  document.querySelectorAll("form[data-autosubmit] select").forEach(function (el) {
    var byKeyboard = false;
    var button = el.form.querySelector("[data-autosubmit-button]");
    if (button) button.hidden = true;
    el.addEventListener("pointerdown", function () { byKeyboard = false; });
    el.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        el.form.submit();
      } else if (ev.key !== "Tab" && ev.key !== "Shift") {
        byKeyboard = true;
      }
    });
    el.addEventListener("change", function () {
      if (!byKeyboard) { el.form.submit(); return; }
      if (button) button.hidden = false;  // a keyboard change waits for Enter or the button
    });
  });

  // Long posts (publishing, a run in the embedded setup): say so and post once.
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    if (ev.defaultPrevented || !f.matches || !f.matches("form[data-busy-label]")) return;
    // (not data-busy: that marker asks the runs' box to refresh itself)
    if (f.dataset.posting) { ev.preventDefault(); return; }
    f.dataset.posting = "1";
    var button = ev.submitter || f.querySelector("button[type=submit], button:not([type])");
    f.setAttribute("aria-busy", "true");
    // disabled after this turn, so the button still counts as the form's submitter
    setTimeout(function () {
      if (!button) return;
      button.dataset.label = button.textContent;
      button.textContent = f.dataset.busyLabel;
      button.disabled = true;
    }, 0);
  });
  // back to a page kept in the browser's cache: its forms can be used again
  window.addEventListener("pageshow", function (ev) {
    if (!ev.persisted) return;
    document.querySelectorAll("form[data-busy-label][data-posting]").forEach(function (f) {
      delete f.dataset.posting;
      f.removeAttribute("aria-busy");
      f.querySelectorAll("button[data-label]").forEach(function (b) {
        b.textContent = b.dataset.label;
        b.disabled = false;
      });
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function () { window.print(); });
  });
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) ev.preventDefault();
  });
})();
