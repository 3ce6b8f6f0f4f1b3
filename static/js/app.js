/* Safe Babies: small page behaviours. No inline scripts anywhere (CSP). */
(function () {
  "use strict";

  // Live search on the case list: results update as you type; Enter still submits the form.
  function liveSearch(form) {
    var target = document.querySelector(form.getAttribute("data-live-search"));
    if (!target || !window.fetch) {
      return;
    }
    var timer = null;
    var controller = null;
    function update() {
      var params = new URLSearchParams(new FormData(form));
      params.delete("page");
      var url = form.action + "?" + params.toString();
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      fetch(url, {
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
        signal: controller.signal
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("search failed");
          }
          return response.text();
        })
        .then(function (html) {
          target.innerHTML = html;
          window.history.replaceState(null, "", url);
          var status = document.getElementById("results-status");
          var count = target.querySelector(".results-count");
          if (status && count) {
            status.textContent = count.textContent.trim();
          }
        })
        .catch(function () { /* keep the current results; the form still works */ });
    }
    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 300);
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }

  // After a refused form, take keyboard and screen-reader users to the message.
  function focusErrors() {
    var errors = document.getElementById("form-errors");
    if (errors) {
      errors.focus();
    }
  }

  // Signing out takes this browser's unsaved FTM drafts (static/js/ftm.js) with it: a tablet
  // passed to the next person keeps no family's words.
  function forgetDraftsOnSignOut() {
    document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
      form.addEventListener("submit", function () {
        try {
          for (var i = window.localStorage.length - 1; i >= 0; i--) {
            var key = window.localStorage.key(i);
            if (key && key.indexOf("ftm-draft:") === 0) { window.localStorage.removeItem(key); }
          }
        } catch (e) { /* no storage, nothing kept */ }
      });
    });
  }

  // The goal form's "Someone else: who" box shows only once "Someone else" is chosen (a
  // typed name stays visible, so nothing typed is hidden).
  function someoneElse() {
    var select = document.getElementById("id_responsible");
    var box = document.getElementById("div_id_responsible_other");
    var input = document.getElementById("id_responsible_other");
    if (!select || !box || !input) { return; }
    function update() {
      box.hidden = select.value !== "other" && !input.value;
    }
    select.addEventListener("change", function () {
      update();
      if (select.value === "other") { input.focus(); }
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-live-search]").forEach(liveSearch);
    someoneElse();
    forgetDraftsOnSignOut();
    focusErrors();
  });
})();
