/* Family Team Meeting pages.
 *
 * The logging page (#ftm-log) never loses what is typed:
 * - a draft of the page is kept in this browser (localStorage) until the server has it, so a
 *   reload, a closed tab or a dropped connection loses nothing; on the next load the page puts
 *   back what the server does not have yet, says so, and offers to discard it;
 * - it saves at most 1.5 s after a change, also while someone keeps typing, and when the page
 *   is hidden or closed;
 * - each save sends only what changed since the server last had it, with the values it started
 *   from: the server merges field by field (teams.services.ftm_log), so two people logging
 *   different parts both keep their work, and a save of one's own that landed late (a reload)
 *   is never a conflict. Where someone else changed the same field, both texts are shown and
 *   the person chooses; nothing is overwritten silently.
 * The status stays in sight (a sticky bar).
 */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });

  var form = document.getElementById("ftm-log");
  if (!form) { return; }

  var SAVE_WITHIN = 1500;
  var RETRY = 3000;
  var DRAFT_DAYS = 7;
  var DRAFT_KEY = "ftm-draft:" + form.getAttribute("data-ftm") + ":" + form.getAttribute("data-user");

  var status = document.getElementById("save-status");
  var problem = document.getElementById("save-problem");
  var problemText = document.getElementById("save-problem-text");
  var reloadButton = document.getElementById("save-reload");
  var conflicts = document.getElementById("save-conflicts");
  var restoredNote = document.getElementById("draft-restored");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  var version = parseInt(form.getAttribute("data-version"), 10);
  var synced = null;      // what the server has, as far as this page knows
  var sentEarlier = {};   // field -> values sent without an answer yet (the server may hold one)
  var held = {};          // field -> the value someone else saved, while the person chooses
  var inFlight = false;
  var timer = null;
  var due = 0;

  function copy(value) { return JSON.parse(JSON.stringify(value)); }
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

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

  // --- The page as data --------------------------------------------------------------------

  function fieldInput(name) { return form.querySelector("[data-field][name='" + name + "']"); }

  function setField(name, value) {
    var el = fieldInput(name);
    if (!el) { return; }
    if (el.type === "checkbox") { el.checked = !!value; } else { el.value = value; }
  }

  function attendeeEntry(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    if (!checked) { return null; }
    var key = row.getAttribute("data-attendee");
    var entry = { role: row.getAttribute("data-role"), mode: checked.value };
    var sep = key.indexOf(":");
    var kind = key.slice(0, sep), value = key.slice(sep + 1);
    if (kind === "email") { entry.email = value; }
    else if (kind === "person") { entry.person_id = value; }
    else { entry.name = value; }
    return entry;
  }

  function snapshot() {
    var data = { fields: {}, attendance: {}, reviewed: {}, items: {} };
    form.querySelectorAll("[data-field]").forEach(function (el) {
      data.fields[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    document.querySelectorAll("[data-attendee]").forEach(function (row) {
      var entry = attendeeEntry(row);
      if (entry) { data.attendance[row.getAttribute("data-attendee")] = entry; }
    });
    document.querySelectorAll("[data-review-id]").forEach(function (row) {
      var checked = row.querySelector("input[type=radio]:checked");
      if (!checked) { return; }
      data.reviewed[row.getAttribute("data-review-id")] = {
        status: checked.value, not_done_reason: row.querySelector(".ftm-reason input").value
      };
    });
    document.querySelectorAll("#item-list [data-item-id]").forEach(function (row) {
      var item = {};
      row.querySelectorAll("[data-item]").forEach(function (el) {
        item[el.getAttribute("data-item")] = el.value;
      });
      data.items[row.getAttribute("data-item-id")] = item;
    });
    return data;
  }

  /* What changed since the server last had the page, as the save sends it; null if nothing. */
  function changes(now) {
    var body = { fields: {}, base: {}, attendance: [], reviewed: [], action_items: [], removed_items: [] };
    var any = false;
    Object.keys(now.fields).forEach(function (name) {
      if (name in held || same(now.fields[name], synced.fields[name])) { return; }
      body.fields[name] = now.fields[name];
      body.base[name] = [synced.fields[name]].concat(sentEarlier[name] || []);
      any = true;
    });
    Object.keys(now.attendance).forEach(function (key) {
      if (!same(now.attendance[key], synced.attendance[key])) { body.attendance.push(now.attendance[key]); any = true; }
    });
    Object.keys(now.reviewed).forEach(function (id) {
      if (!same(now.reviewed[id], synced.reviewed[id])) {
        body.reviewed.push(Object.assign({ id: id }, now.reviewed[id]));
        any = true;
      }
    });
    Object.keys(now.items).forEach(function (id) {
      if (!same(now.items[id], synced.items[id])) {
        body.action_items.push(Object.assign({ id: id }, now.items[id]));
        any = true;
      }
    });
    Object.keys(synced.items).forEach(function (id) {
      if (!(id in now.items)) { body.removed_items.push(id); any = true; }
    });
    if (!any) { return null; }
    ["attendance", "reviewed", "action_items"].forEach(function (part) {
      if (!body[part].length) { delete body[part]; }
    });
    return body;
  }

  // --- The draft kept in this browser -------------------------------------------------------

  function saveDraft() {
    try {
      window.localStorage.setItem(DRAFT_KEY, JSON.stringify({
        at: Date.now(), now: snapshot(), synced: synced, sentEarlier: sentEarlier
      }));
    } catch (e) { /* storage full or off: the server saves still run */ }
  }

  function clearDraft() {
    try { window.localStorage.removeItem(DRAFT_KEY); } catch (e) { /* nothing kept */ }
  }

  function readDraft() {
    try {
      var draft = JSON.parse(window.localStorage.getItem(DRAFT_KEY) || "null");
      if (draft && draft.now && draft.synced && Date.now() - draft.at < DRAFT_DAYS * 864e5) { return draft; }
    } catch (e) { /* a damaged draft is no draft */ }
    clearDraft();
    return null;
  }

  function addItemRow(id) {
    var holder = document.createElement("div");
    holder.innerHTML = document.getElementById("item-template").innerHTML.replace(/__ID__/g, id);
    var row = holder.firstElementChild;
    document.getElementById("item-list").appendChild(row);
    return row;
  }

  function setItem(row, item) {
    Object.keys(item).forEach(function (name) {
      var el = row.querySelector("[data-item='" + name + "']");
      if (el) { el.value = item[name]; }
    });
  }

  /* Put back what this browser has and the server does not. A field someone else changed
     meanwhile is not put back silently: both texts are offered. */
  function restore(draft) {
    var server = synced;
    var back = false;
    Object.keys(draft.now.fields).forEach(function (name) {
      var mine = draft.now.fields[name];
      if (!(name in server.fields) || same(mine, server.fields[name])) { return; }
      var earlier = [draft.synced.fields[name]].concat((draft.sentEarlier || {})[name] || []);
      if (!earlier.some(function (v) { return same(v, server.fields[name]); })) {
        held[name] = server.fields[name];  // changed on the server too: the person chooses
      }
      setField(name, mine);
      sentEarlier[name] = ((draft.sentEarlier || {})[name] || []).concat([mine]);
      back = true;
    });
    Object.keys(draft.now.attendance).forEach(function (key) {
      var entry = draft.now.attendance[key];
      if (same(entry, server.attendance[key])) { return; }
      var row = document.querySelector("[data-attendee='" + key.replace(/'/g, "\\'") + "']");
      var radio = row && row.querySelector("input[type=radio][value='" + entry.mode + "']");
      if (radio) { radio.checked = true; back = true; }
    });
    Object.keys(draft.now.reviewed).forEach(function (id) {
      var review = draft.now.reviewed[id];
      if (same(review, server.reviewed[id])) { return; }
      var row = document.querySelector("[data-review-id='" + id + "']");
      if (!row) { return; }
      var radio = row.querySelector("input[type=radio][value='" + review.status + "']");
      if (radio) { radio.checked = true; }
      row.querySelector(".ftm-reason input").value = review.not_done_reason;
      back = true;
    });
    Object.keys(draft.now.items).forEach(function (id) {
      if (same(draft.now.items[id], server.items[id])) { return; }
      var row = document.querySelector("#item-list [data-item-id='" + id + "']") || addItemRow(id);
      setItem(row, draft.now.items[id]);
      back = true;
    });
    Object.keys(draft.synced.items).forEach(function (id) {
      var row = document.querySelector("#item-list [data-item-id='" + id + "']");
      if (!(id in draft.now.items) && row) { row.remove(); back = true; }
    });
    return back;
  }

  // --- Conflicts: both texts, the person chooses ---------------------------------------------

  function labelOf(name) {
    var label = form.querySelector("label[for='" + name + "']");
    return label ? label.textContent.trim() : name;
  }

  function showConflicts(by) {
    conflicts.textContent = "";
    var names = Object.keys(held);
    conflicts.classList.toggle("d-none", names.length === 0);
    if (!names.length) { return; }
    var intro = document.createElement("p");
    intro.className = "mb-2";
    intro.textContent = (by || "Someone else") + " changed the same part of this meeting at the same time. Nothing is lost: choose which text to keep.";
    conflicts.appendChild(intro);
    names.forEach(function (name) {
      var box = document.createElement("div");
      box.className = "border-top pt-2 mt-2 ftm-conflict";
      box.setAttribute("data-conflict", name);
      var title = document.createElement("p");
      title.className = "fw-semibold mb-1";
      title.textContent = labelOf(name);
      var theirs = document.createElement("p");
      theirs.className = "mb-2 ftm-conflict-theirs";
      theirs.textContent = "Their text: " + (held[name] === "" ? "(empty)" : String(held[name]));
      var keep = document.createElement("button");
      keep.type = "button";
      keep.className = "btn btn-sm btn-primary me-2";
      keep.textContent = "Keep mine";
      keep.addEventListener("click", function () { choose(name, false); });
      var take = document.createElement("button");
      take.type = "button";
      take.className = "btn btn-sm btn-outline-secondary";
      take.textContent = "Use theirs";
      take.addEventListener("click", function () { choose(name, true); });
      box.appendChild(title);
      box.appendChild(theirs);
      box.appendChild(keep);
      box.appendChild(take);
      conflicts.appendChild(box);
    });
    conflicts.focus();
  }

  function choose(name, theirs) {
    var value = held[name];
    delete held[name];
    synced.fields[name] = value;  // theirs is what the server has now
    delete sentEarlier[name];
    if (theirs) { setField(name, value); }
    showConflicts();
    changed(100);
  }

  // --- Saving --------------------------------------------------------------------------------

  function showProblem(text, reload) {
    problemText.textContent = text;
    reloadButton.classList.toggle("d-none", !reload);
    problem.classList.remove("d-none");
  }

  function describe(errors) {
    return Object.keys(errors).map(function (field) {
      var label = field === "__all__" ? "" : field.replace(/_/g, " ") + ": ";
      return label + [].concat(errors[field]).join(" ");
    }).join(" ");
  }

  function afterSave(sent, body) {
    version = body.version;
    Object.keys(sent.fields).forEach(function (name) {
      synced.fields[name] = sent.fields[name];
      delete sentEarlier[name];
    });
    (sent.attendance || []).forEach(function (entry) {
      var key = entry.email ? "email:" + entry.email : entry.person_id ? "person:" + entry.person_id : "name:" + entry.name;
      synced.attendance[key] = entry;
    });
    (sent.reviewed || []).forEach(function (review) {
      synced.reviewed[review.id] = { status: review.status, not_done_reason: review.not_done_reason };
    });
    (sent.action_items || []).forEach(function (item) {
      var copyOf = Object.assign({}, item);
      delete copyOf.id;
      synced.items[item.id] = copyOf;
    });
    sent.removed_items.forEach(function (id) { delete synced.items[id]; });
    // what others saved meanwhile, in fields this page has not changed
    var now = snapshot();
    Object.keys(body.fields || {}).forEach(function (name) {
      if (!(name in synced.fields) || name in held) { return; }
      if (same(now.fields[name], synced.fields[name]) && !same(body.fields[name], synced.fields[name])) {
        setField(name, body.fields[name]);
        synced.fields[name] = body.fields[name];
      }
    });
  }

  function save(leaving) {
    if (timer) { window.clearTimeout(timer); timer = null; }
    var sent = changes(snapshot());
    if (!sent) {
      if (!inFlight && !Object.keys(held).length) { clearDraft(); }
      return;
    }
    if (inFlight && !leaving) { schedule(SAVE_WITHIN); return; }
    Object.keys(sent.fields).forEach(function (name) {
      sentEarlier[name] = (sentEarlier[name] || []).concat([sent.fields[name]]);
    });
    saveDraft();
    sent.version = version;
    if (leaving) {
      // the page is going away: the answer will not be read; the draft keeps the rest
      fetch(form.getAttribute("data-save-url"), {
        method: "POST", credentials: "same-origin", keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(sent)
      }).catch(function () { /* the draft has it */ });
      return;
    }
    inFlight = true;
    say("Saving…", "saving");
    fetch(form.getAttribute("data-save-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(sent)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (result) {
      inFlight = false;
      if (result.status === 200) {
        afterSave(sent, result.body);
        problem.classList.add("d-none");
        if (changes(snapshot())) {
          say("Saving…", "saving");
          saveDraft();
          schedule(SAVE_WITHIN);
        } else {
          say("Saved at " + (result.body.saved_at_label || "") + ".", "");
          if (!Object.keys(held).length) { clearDraft(); } else { saveDraft(); }
        }
      } else if (result.status === 409 && result.body.fields && Object.keys(result.body.fields).length) {
        version = result.body.version;
        Object.keys(result.body.fields).forEach(function (name) { held[name] = result.body.fields[name]; });
        saveDraft();
        say("Two people changed the same text: choose which to keep.", "problem");
        showConflicts(result.body.by);
        schedule(SAVE_WITHIN);  // the rest is saved meanwhile
      } else if (result.status === 409) {
        say("Not saved: someone else changed this meeting.", "problem");
        showProblem(result.body.conflict || "Someone else saved this meeting. Reload to see their changes.", true);
      } else if (result.status === 400) {
        say("Not saved: something needs another look. What you typed is kept on this device.", "problem");
        showProblem(describe(result.body.errors || {}), false);
      } else if (result.status === 403 || result.status === 401) {
        say("Not saved: you are signed out. What you typed is kept on this device: sign in again and reopen this meeting.", "problem");
      } else {
        say("Not saved yet (the server did not answer). What you typed is kept on this device; trying again…", "problem");
        schedule(RETRY);
      }
    }).catch(function () {
      inFlight = false;
      say("Not saved yet: no connection. What you type is kept on this device and saved when the connection is back.", "problem");
      schedule(RETRY);
    });
  }

  function schedule(delay) {
    var at = Date.now() + delay;
    if (timer && due <= at) { return; }  // a save is already coming sooner: typing does not push it back
    if (timer) { window.clearTimeout(timer); }
    due = at;
    timer = window.setTimeout(function () { timer = null; save(false); }, delay);
  }

  function changed(delay) {
    saveDraft();
    if (!Object.keys(held).length) { say("Changes not saved yet…", "saving"); }
    schedule(delay);
  }

  // --- Start ---------------------------------------------------------------------------------

  synced = snapshot();
  var draft = readDraft();
  if (draft && restore(draft)) {
    restoredNote.classList.remove("d-none");
    showConflicts();
    changed(300);
  } else {
    clearDraft();
  }
  document.getElementById("draft-discard").addEventListener("click", function () {
    clearDraft();
    window.location.reload();
  });

  form.addEventListener("change", function () { changed(300); });
  form.addEventListener("input", function () { changed(SAVE_WITHIN); });
  window.setInterval(function () { if (!timer && !inFlight && changes(snapshot())) { save(false); } }, 5000);
  window.addEventListener("online", function () { save(false); });
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

  document.getElementById("item-add").addEventListener("click", function () {
    var row = addItemRow(newId());
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
