/* Idle timeout: warns before the session ends and offers to stay signed in.
   Settings come from data attributes on <body> (CSP: no inline script). */
(function () {
  "use strict";
  var body = document.body;
  var total = parseInt(body.getAttribute("data-session-seconds"), 10);
  var warnBefore = parseInt(body.getAttribute("data-session-warning"), 10);
  var keepaliveUrl = body.getAttribute("data-session-keepalive");
  var loginUrl = body.getAttribute("data-session-login");
  if (!total || !warnBefore || !keepaliveUrl) {
    return;
  }
  var warnTimer = null;
  var endTimer = null;
  var banner = null;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function removeBanner() {
    if (banner) {
      banner.remove();
      banner = null;
    }
  }

  function showWarning() {
    removeBanner();
    banner = document.createElement("div");
    banner.className = "alert alert-warning session-warning d-flex align-items-center gap-3";
    banner.setAttribute("role", "alertdialog");
    banner.setAttribute("aria-live", "assertive");
    banner.setAttribute("aria-label", "Session ending soon");
    var text = document.createElement("span");
    var minutes = Math.max(1, Math.round(warnBefore / 60));
    text.textContent = "For privacy you will be signed out in about " + minutes +
      " minute" + (minutes === 1 ? "" : "s") + " unless you carry on.";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-primary btn-sm";
    button.textContent = "Stay signed in";
    button.addEventListener("click", stayIn);
    banner.appendChild(text);
    banner.appendChild(button);
    var main = document.getElementById("main");
    main.insertBefore(banner, main.firstChild);
    button.focus();
  }

  function signedOut() {
    removeBanner();
    window.location.assign(loginUrl + "?next=" + encodeURIComponent(window.location.pathname));
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(showWarning, Math.max(0, total - warnBefore) * 1000);
    endTimer = setTimeout(signedOut, total * 1000);
  }

  function stayIn() {
    fetch(keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (response.ok) {
        removeBanner();
        schedule();
      } else {
        signedOut();
      }
    }).catch(signedOut);
  }

  schedule();
})();
