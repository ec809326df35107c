/* The visit pages' service worker (served at /assistance/sw.js by views.visits.service_worker, scope /assistance/):
 * the visit form, the cadre's list and the static files they load are kept in a cache as they are fetched, so a
 * cadre who opened them once can open them again without a network. Everything is fetched from the network first
 * (always fresh when online), the cache answering only when the network does not. Nothing but GET is touched: the visits themselves
 * are queued and sent by the page (visit.js), idempotent by their client_id. */
"use strict";

var CACHE = "fupin-visits-v1";
var PAGES = /\/assistance\/(households\/\d+\/visit\/|visits\/)$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function keep(request, response) {
  if (response && response.ok && response.type === "basic") {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (!PAGES.test(url.pathname) && url.pathname.indexOf("/static/") !== 0) return;
  event.respondWith(
    fetch(request).then(function (response) { return keep(request, response); }, function () {
      return caches.match(request).then(function (hit) { return hit || Response.error(); });
    })
  );
});
