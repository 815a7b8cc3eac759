{% load static %}// The service worker of oretrace's field pages (/programmes/field/): it keeps a copy of the
// monitoring-visit and follow-up forms and their assets, so they open with no network, even after
// a reload. Pages: from the network when there is one (the copy refreshed), else the copy, kept
// at most MAX_AGE_DAYS. Assets: the copy first, refreshed behind. Nothing else is kept here: the
// forms waiting to send are in IndexedDB (programmes/offline.js); the server never sends a child's
// identity on these pages.
"use strict";
var CACHE = "oretrace-field-{{ version }}";
var PREFIX = "oretrace-field-";
var SCOPE = new URL("./", self.location.href).pathname;
var STATIC = "{% get_static_prefix %}";
var MAX_AGE_DAYS = 14;
var ASSETS = [
  "{% static 'web/oretrace.css' %}",
  "{% static 'web/favicon.svg' %}",
  "{% static 'django_htmx/htmx-2.min.js' %}",
  "{% static 'web/scroll-regions.js' %}",
  "{% static 'web/busy.js' %}",
  "{% static 'programmes/offline.css' %}",
  "{% static 'programmes/offline.js' %}"
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PREFIX) === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(response) {
  // Never a redirect (to the login page, or after a form), never an error page.
  return response && response.ok && !response.redirected && response.type === "basic";
}

function fresh(response) {
  var date = Date.parse(response.headers.get("Date") || "");
  return isNaN(date) || Date.now() - date < MAX_AGE_DAYS * 86400000;
}

function keepPage(url) {
  return fetch(url, { credentials: "same-origin" }).then(function (response) {
    if (!keepable(response)) return false;
    return caches.open(CACHE).then(function (cache) {
      return cache.put(url, response).then(function () { return true; });
    });
  });
}

function page(request) {
  return fetch(request).then(function (response) {
    if (keepable(response)) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request.url, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request.url, { ignoreVary: true }).then(function (kept) {
        if (kept && fresh(kept)) return kept;
        if (kept) cache.delete(request.url);
        return Response.error();
      });
    });
  });
}

function asset(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (kept) {
      var update = fetch(request).then(function (response) {
        if (keepable(response)) cache.put(request, response.clone());
        return response;
      });
      if (kept) {
        update.catch(function () {});
        return kept;
      }
      return update;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0) {
    event.respondWith(page(request));
  } else if (url.pathname.indexOf(STATIC) === 0) {
    event.respondWith(asset(request));
  }
});

// A page asks for its own copy (it was loaded before this worker controlled it), or for the
// copy to be deleted (the "clear this phone's copy" button).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports[0];
  var done = function (value) { if (port) port.postMessage(value); };
  if (data.keep) {
    var url = new URL(data.keep, self.location.href);
    if (url.origin !== self.location.origin || url.pathname.indexOf(SCOPE) !== 0) return done(false);
    // "offline": the network failed (navigator.onLine is only a hint).
    event.waitUntil(keepPage(url.href).then(done, function () { done("offline"); }));
  } else if (data.clear) {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(PREFIX) === 0;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { done(true); }));
  }
});
