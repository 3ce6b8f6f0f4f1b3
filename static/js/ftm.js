/* Family Team Meeting pages.
 *
 * The logging page (#ftm-log) saves itself to the server: shortly after every change, every few
 * seconds while someone types, and when the page is hidden. Each save names the version it
 * started from; if someone else saved in between the server answers 409 and the page says so
 * (it never overwrites their work silently) and stops saving until it is reloaded.
 */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });

  var form = document.getElementById("ftm-log");
  if (!form) { return; }

  var status = document.getElementById("save-status");
  var problem = document.getElementById("save-problem");
  var problemText = document.getElementById("save-problem-text");
  var reloadButton = document.getElementById("save-reload");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var dirty = false;
  var inFlight = false;
  var stopped = false;
  var timer = null;

  function newId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return "ai-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function say(text, kind) {
    status.textContent = text;
    status.classList.toggle("is-saving", kind === "saving");
    status.classList.toggle("is-problem", kind === "problem");
  }

  function collect() {
    var fields = {};
    form.querySelectorAll("[data-field]").forEach(function (el) {
      fields[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    var attendance = [];
    document.querySelectorAll("[data-attendee]").forEach(function (row) {
      var checked = row.querySelector("input[type=radio]:checked");
      if (!checked) { return; }
      var key = row.getAttribute("data-attendee");
      var entry = { role: row.getAttribute("data-role"), mode: checked.value };
      var sep = key.indexOf(":");
      var kind = key.slice(0, sep), value = key.slice(sep + 1);
      if (kind === "email") { entry.email = value; }
      else if (kind === "person") { entry.person_id = value; }
      else { entry.name = value; }
      attendance.push(entry);
    });
    var reviewed = [];
    document.querySelectorAll("[data-review-id]").forEach(function (row) {
      var checked = row.querySelector("input[type=radio]:checked");
      var reason = row.querySelector(".ftm-reason input").value;
      if (!checked) { return; }
      reviewed.push({ id: row.getAttribute("data-review-id"), status: checked.value, not_done_reason: reason });
    });
    var items = [];
    document.querySelectorAll("#item-list [data-item-id]").forEach(function (row) {
      var item = { id: row.getAttribute("data-item-id") };
      row.querySelectorAll("[data-item]").forEach(function (el) {
        item[el.getAttribute("data-item")] = el.value;
      });
      items.push(item);
    });
    return {
      version: parseInt(form.getAttribute("data-version"), 10),
      fields: fields,
      attendance: attendance,
      reviewed: reviewed,
      action_items: items
    };
  }

  function showProblem(text, conflict) {
    problemText.textContent = text;
    reloadButton.classList.toggle("d-none", !conflict);
    problem.classList.remove("d-none");
    problem.focus();
  }

  function describe(errors) {
    return Object.keys(errors).map(function (field) {
      var label = field === "__all__" ? "" : field.replace(/_/g, " ") + ": ";
      return label + [].concat(errors[field]).join(" ");
    }).join(" ");
  }

  function save(keepalive) {
    if (stopped || !dirty) { return; }
    if (inFlight) { schedule(1000); return; }
    dirty = false;
    inFlight = true;
    say("Saving…", "saving");
    fetch(form.getAttribute("data-save-url"), {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(collect())
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (result) {
      inFlight = false;
      if (result.status === 200) {
        form.setAttribute("data-version", result.body.version);
        problem.classList.add("d-none");
        say(dirty ? "Saving…" : "Saved at " + new Date().toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }) + ".", dirty ? "saving" : "");
        if (dirty) { schedule(500); }
      } else if (result.status === 409) {
        stopped = true;
        say("Not saved: someone else changed this meeting.", "problem");
        showProblem(result.body.conflict || "Someone else saved this meeting. Reload to see their changes.", true);
      } else if (result.status === 400) {
        say("Not saved: something needs another look.", "problem");
        showProblem(describe(result.body.errors || {}), false);
      } else {
        dirty = true;
        say("Not saved yet (the server did not answer). Trying again…", "problem");
        schedule(5000);
      }
    }).catch(function () {
      inFlight = false;
      dirty = true;
      say("Not saved yet: no connection. Trying again…", "problem");
      schedule(5000);
    });
  }

  function schedule(delay) {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(function () { timer = null; save(false); }, delay);
  }

  function changed(delay) {
    dirty = true;
    if (!stopped) { say("Changes not saved yet…", "saving"); }
    schedule(delay);
  }

  form.addEventListener("change", function () { changed(300); });
  form.addEventListener("input", function () { changed(2000); });
  window.setInterval(function () { if (dirty && !timer) { save(false); } }, 5000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(true); }
  });
  window.addEventListener("pagehide", function () { save(true); });
  reloadButton.addEventListener("click", function () { window.location.reload(); });

  var counter = document.querySelectorAll("[data-attendee]").length;
  document.getElementById("guest-add").addEventListener("click", function () {
    var nameInput = document.getElementById("guest-name");
    var name = nameInput.value.trim();
    if (!name) { nameInput.focus(); return; }
    var role = document.getElementById("guest-role");
    counter += 1;
    var row = document.createElement("li");
    row.className = "ftm-attendee d-flex flex-wrap justify-content-between align-items-center gap-2 py-1 border-bottom";
    row.setAttribute("data-attendee", "name:" + name);
    row.setAttribute("data-role", role.value);
    var label = document.createElement("span");
    label.className = "ftm-attendee-name";
    label.id = "att-" + counter + "-name";
    label.textContent = name + " ";
    var small = document.createElement("span");
    small.className = "text-body-secondary small";
    small.textContent = role.options[role.selectedIndex].text;
    label.appendChild(small);
    var group = document.createElement("span");
    group.className = "btn-group";
    group.setAttribute("role", "group");
    group.setAttribute("aria-labelledby", label.id);
    [["in_person", "In person", "success"], ["remote", "Remote", "primary"], ["absent", "Absent", "secondary"]].forEach(function (mode) {
      var input = document.createElement("input");
      input.type = "radio";
      input.className = "btn-check";
      input.name = "att-" + counter;
      input.id = "att-" + counter + "-" + mode[0];
      input.value = mode[0];
      input.checked = mode[0] === "in_person";
      var lab = document.createElement("label");
      lab.className = "btn btn-outline-" + mode[2];
      lab.setAttribute("for", input.id);
      lab.textContent = mode[1];
      group.appendChild(input);
      group.appendChild(lab);
    });
    row.appendChild(label);
    row.appendChild(group);
    document.getElementById("attendance-list").appendChild(row);
    nameInput.value = "";
    changed(100);
  });

  var template = document.getElementById("item-template");
  document.getElementById("item-add").addEventListener("click", function () {
    var id = newId();
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__ID__/g, id);
    var row = holder.firstElementChild;
    document.getElementById("item-list").appendChild(row);
    row.querySelector("[data-item=description]").focus();
    changed(300);
  });
  document.getElementById("item-list").addEventListener("click", function (event) {
    var button = event.target.closest("[data-item-remove]");
    if (!button) { return; }
    button.closest("[data-item-id]").remove();
    changed(100);
  });
})();
