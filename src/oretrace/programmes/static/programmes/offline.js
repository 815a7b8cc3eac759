// Working offline on the field pages (issue 21 §6). A form marked data-offline-form is kept on
// the phone (IndexedDB) before anything is sent, with a key generated here (a UUID) and the
// version of the record it was filled against; the list "Waiting to send (n)" shows what is
// kept. It is sent to the sync endpoint when the connection returns (the online event), when a
// field page opens, and by the "Send now" button. The server writes each key once; a record
// that changed on the server since the form was filled comes back as a conflict, shown side by
// side (yours, the server's) for the officer to choose. Nothing is dropped without a click.
// Kept per item: the key, the form's kind, the village's or case's id and its label (the village
// name or the case's pseudonymous reference), the fields as the form posts them, their labels,
// and the user's id (another user of the phone neither sees nor sends it). No child's identity.
// The words come from the page (data-t-* attributes), in the reader's language.
(function () {
  "use strict";
  var panel = document.getElementById("offline");
  var worker = document.currentScript && document.currentScript.dataset.url;
  if (!panel) return;
  var DB = "oretrace-field";
  var STORE = "queue";
  var SEEN = "seen"; // the latest version of each record this phone saw (its own sends too)
  var user = panel.dataset.user;
  var t = function (name) { return panel.dataset["t" + name] || name; };
  var state = panel.querySelector("[data-state]");
  var list = panel.querySelector("[data-queue]");
  var count = panel.querySelector("[data-count]");
  var sending = false;
  var retry = null;
  // navigator.onLine and the online event are hints only (a phone on a weak link, a captive
  // portal, a page reopened from the phone's copy): what waits is retried every RETRY_MS too.
  var RETRY_MS = 10000;

  function say(text) { state.textContent = text; }

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
        request.result.createObjectStore(SEEN, { keyPath: "record" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function store(mode, work, name) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name || STORE, mode);
        var result = work(tx.objectStore(name || STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() {
    return store("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).filter(function (item) { return item.user === user; })
        .sort(function (a, b) { return a.created < b.created ? -1 : 1; });
    });
  }
  function put(item) { return store("readwrite", function (s) { s.put(item); }); }
  function drop(key) { return store("readwrite", function (s) { s.delete(key); }); }
  function record(kind, target) { return user + ":" + kind + ":" + target; }
  function saw(kind, target, version) {
    return store("readwrite", function (s) {
      s.put({ record: record(kind, target), version: version });
    }, SEEN);
  }
  function seen(kind, target) {
    return store("readonly", function (s) { return s.get(record(kind, target)); }, SEEN)
      .then(function (row) { return row ? row.version : null; });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); });
    return [h.slice(0, 4), h.slice(4, 6), h.slice(6, 8), h.slice(8, 10), h.slice(10)]
      .map(function (p) { return p.join(""); }).join("-");
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function facts(title, pairs) {
    var box = element("div", undefined, "side");
    box.appendChild(element("h4", title));
    var dl = element("dl", undefined, "facts");
    pairs.forEach(function (pair) {
      dl.appendChild(element("dt", pair[0]));
      dl.appendChild(element("dd", pair[1]));
    });
    box.appendChild(dl);
    return box;
  }

  function button(text, action) {
    var b = element("button", text);
    b.type = "button";
    b.addEventListener("click", action);
    return b;
  }

  function show() {
    return all().then(function (items) {
      count.textContent = String(items.length);
      list.textContent = "";
      panel.classList.toggle("has-queue", items.length > 0);
      items.forEach(function (item) {
        var li = element("li", undefined, "queued " + item.state);
        li.dataset.key = item.key;
        li.appendChild(element("strong", t(item.kind === "visit" ? "Visit" : "Followup") + " · " + item.label));
        li.appendChild(element("span", " · " + item.created.slice(0, 16).replace("T", " ")));
        if (item.state === "conflict") {
          li.appendChild(element("p", item.error, "field-error"));
          var sides = element("div", undefined, "sides");
          sides.appendChild(facts(t("Yours"), item.display));
          sides.appendChild(facts(t("Server"), item.server || []));
          li.appendChild(sides);
          li.appendChild(button(t("Mine"), function () {
            item.base = item.newBase;
            item.state = "waiting";
            put(item).then(show).then(sync);
          }));
          li.appendChild(button(t("Theirs"), function () { drop(item.key).then(show); }));
        } else if (item.state === "refused") {
          li.appendChild(element("p", item.error, "field-error"));
          li.appendChild(facts(t("Yours"), item.display));
          li.appendChild(button(t("Discard"), function () { drop(item.key).then(show); }));
        }
        list.appendChild(li);
      });
      return items;
    });
  }

  function token() {
    return fetch(panel.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!response.ok || response.redirected || !json) throw new Error("signin");
        return response.json();
      }).then(function (data) { return data.csrf; });
  }

  function send(item, csrf) {
    var body = { key: item.key, kind: item.kind, target: item.target, base: item.base, fields: item.fields };
    return fetch(panel.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.status >= 500 || response.redirected) throw new Error("later");
      return response.json().then(function (data) {
        if (response.ok) {
          // What the phone sent is now the version it has seen: a next form filled on a copy
          // of the page from before is not a conflict with the officer's own change.
          return saw(item.kind, item.target, data.result.version).then(function () {
            return drop(item.key);
          }).then(function () { return "sent"; });
        }
        if (response.status === 409) {
          item.state = "conflict";
          item.server = data.server;
          item.newBase = data.base;
        } else {
          item.state = "refused";
        }
        item.error = data.error || String(response.status);
        return put(item).then(function () { return item.state; });
      });
    });
  }

  function later() {
    if (retry === null) retry = setTimeout(function () { retry = null; sync(); }, RETRY_MS);
  }

  function sync() {
    if (sending) return Promise.resolve();
    sending = true;
    var waiting = 0;
    var sent = 0;
    return all().then(function (items) {
      var ready = items.filter(function (item) { return item.state === "waiting"; });
      waiting = ready.length;
      if (!waiting) return null;
      return token().then(function (csrf) {
        say(""); // the server answered: no longer "no connection"
        return ready.reduce(function (chain, item) {
          return chain.then(function () {
            return send(item, csrf).then(function (outcome) {
              if (outcome === "sent") sent += 1;
              waiting -= 1;
            });
          });
        }, Promise.resolve());
      });
    }).then(function () {
      if (sent) {
        say(t("Sent") + " (" + sent + ")");
        keepCopy(); // the page's copy on the phone now shows what was sent
      }
    }).catch(function (error) {
      say(error && error.message === "signin" ? t("Signin") : t("Offline"));
    }).then(function () {
      sending = false;
      if (waiting > 0) later();
      return show();
    });
  }

  function pairs(form, data) {
    var shown = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "hidden" || field.type === "submit") return;
      var label = form.querySelector('label[for="' + field.id + '"]');
      var value = field.type === "checkbox" ? t(field.checked ? "Yes" : "No") : data[field.name];
      if (value) shown.push([label ? label.textContent.trim() : field.name, value]);
    });
    return shown;
  }

  function keep(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-offline-form]")) return;
    event.preventDefault();
    if (!form.reportValidity()) return;
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") data[name] = value;
    });
    var base = form.dataset.base;
    var target = Number(form.dataset.target);
    var item = {
      key: uuid(),
      user: user,
      kind: form.dataset.kind,
      target: target,
      base: base === undefined || base === "" ? null : Number(base),
      label: form.dataset.label,
      fields: data,
      display: pairs(form, data),
      created: new Date().toISOString(),
      state: "waiting"
    };
    seen(item.kind, target).then(function (version) {
      if (version !== null && item.base !== null && version > item.base) item.base = version;
      return put(item);
    }).then(function () {
      form.reset();
      say(t("Kept"));
      return show();
    }).then(sync);
  }

  // Ask the service worker to keep (or refresh) this page's copy; true once it is kept.
  function keepCopy() {
    if (!("serviceWorker" in navigator)) return Promise.resolve(false);
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data); };
        registration.active.postMessage({ keep: location.pathname }, [channel.port2]);
      });
    });
  }

  function ready() {
    if (!("serviceWorker" in navigator) || !worker) return;
    // Its scope is its folder, /programmes/field/: the field pages only.
    navigator.serviceWorker.register(worker)
      .then(keepCopy).then(function (kept) {
        if (kept === "offline") return say(t("Offline"));
        if (kept) panel.dataset.ready = "1";
        if (kept && !state.textContent) say(t("Ready"));
      }).catch(function () {});
  }

  function clear() {
    if (!window.confirm(t("Confirm"))) return;
    var done = function () { say(t("Cleared")); return show(); };
    all().then(function (items) {
      return Promise.all(items.map(function (item) { return drop(item.key); }));
    }).then(function () {
      return store("readwrite", function (s) { s.clear(); }, SEEN);
    }).then(function () {
      if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return null;
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = resolve;
        navigator.serviceWorker.controller.postMessage({ clear: true }, [channel.port2]);
      });
    }).then(done, done);
  }

  // Capture: before web/busy.js (which would announce a page load that never comes).
  document.addEventListener("submit", keep, true);
  panel.querySelector("[data-send]").addEventListener("click", sync);
  panel.querySelector("[data-clear]").addEventListener("click", clear);
  window.addEventListener("online", function () { say(""); sync(); });
  window.addEventListener("offline", function () { say(t("Offline")); });
  if (!navigator.onLine) say(t("Offline"));
  panel.hidden = false;
  show().then(sync);
  ready();
})();
