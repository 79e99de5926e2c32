/* The staff's service worker (webmap/offline.py), for the pages under /staff/ of one signed-in person:
   - the site form, the staff list and every file the form loads are kept at install, in a cache named by the
     person's key, so the form opens without a connection; the caches of anyone else are deleted on activation;
   - pages: the network first, the kept copy when it cannot be reached; files: the kept copy first;
   - a site form posted when the server cannot be reached is kept in IndexedDB (static/offline_queue.js) and the
     person is sent to the staff list, where static/offline.js shows it waiting and sends it once back online. */
"use strict";
const SETTINGS = {{ settings|tojson }};
importScripts(SETTINGS.queue_script);

// The forms whose posts are kept when they cannot be sent: a new site, and a change to a site.
const SITE_FORM = /^\/staff\/sites\/(new|\d+\/edit)$/;
const CACHE_PREFIX = "scp-staff-";

self.addEventListener("install", (event) => {
  // Asked with a header of its own, so that the server leaves a one-time message for the person's next page.
  // A redirect (to the sign-in page: the session ended meanwhile) fails the install rather than be kept as the form.
  const requests = SETTINGS.precache.map((url) => new Request(url, { headers: { "X-Offline-Copy": "1" },
                                                                     redirect: "error" }));
  event.waitUntil(caches.open(SETTINGS.cache).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== SETTINGS.cache)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && request.method === "POST" && SITE_FORM.test(url.pathname)) {
    event.respondWith(sendOrKeep(request));
  } else if (request.mode === "navigate" && request.method === "GET" && url.pathname.startsWith(SETTINGS.home)) {
    event.respondWith(networkFirst(event, url));
  } else if (request.method === "GET" && url.pathname.startsWith(SETTINGS.static)) {
    event.respondWith(keptFirst(event));
  }
});

async function keep(request, response) {
  const cache = await caches.open(SETTINGS.cache);
  await cache.put(request, response);
}

// The worker lives until what it keeps is written (event.waitUntil), while the page gets its answer at once.
async function networkFirst(event, url) {
  const request = event.request;
  try {
    const response = await fetch(request);
    // A redirect (to the sign-in page, say) or a refusal is never kept. The sign-in page shown means nobody is
    // signed in here: the kept pages go (the files, and the sites waiting to be sent, stay).
    if (url.pathname === SETTINGS.login) {
      if (response.ok) await forgetPages();
    } else if (response.ok && response.type === "basic") {
      event.waitUntil(keep(request, response.clone()));
    }
    return response;
  } catch (error) {
    const kept = await caches.match(request, { cacheName: SETTINGS.cache, ignoreSearch: true });
    return kept || offlinePage();
  }
}

async function forgetPages() {
  const cache = await caches.open(SETTINGS.cache);
  const pages = (await cache.keys()).filter((request) => new URL(request.url).pathname.startsWith(SETTINGS.home));
  await Promise.all(pages.map((request) => cache.delete(request)));
}

async function keptFirst(event) {
  const request = event.request;
  const kept = await caches.match(request, { cacheName: SETTINGS.cache });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") event.waitUntil(keep(request, response.clone()));
  return response;
}

async function sendOrKeep(request) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (error) {
    // No answer from the server: the form's fields (its photos too, as Files) wait on this device, in order.
    const form = await copy.formData();
    await self.ScpQueue.add({
      user: SETTINGS.user, action: new URL(request.url).pathname, title: String(form.get("name") || ""),
      fields: Array.from(form.entries()), savedAt: new Date().toISOString(), state: "waiting",
    });
    return Response.redirect(new URL(SETTINGS.home, self.location.origin).href, 303);
  }
}

function offlinePage() {
  const escape = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const body = `<!doctype html><html lang="${SETTINGS.language}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(SETTINGS.title)}</title>` +
    `</head><body><p>${escape(SETTINGS.offline_page)}</p><p><a href="${SETTINGS.home}">${escape(SETTINGS.title)}</a>` +
    `</p></body></html>`;
  return new Response(body, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}
