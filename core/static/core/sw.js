/* CITIZENinfo service worker (ADR 0090). Served at /sw.js by core.views.service_worker, which
   prepends `const CONFIG = {...}`: the shell's URLs, a version derived from their contents, and
   the public pages that may be kept for offline reading. */
/* global CONFIG */
"use strict";

const SHELL_CACHE = "ci-shell-" + CONFIG.version;
const PAGE_CACHE = "ci-pages-v1";
const CACHED_AT = "X-CI-Cached-At";
const pagePatterns = CONFIG.pages.map((source) => new RegExp(source));

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(CONFIG.shell)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("ci-shell-") && name !== SHELL_CACHE)
          .map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

function isKeptPage(url) {
  return pagePatterns.some((pattern) => pattern.test(url.pathname));
}

// The nearby list is also kept under its bare path, so "near me" offline shows the last one.
function lastCopyKey(url) {
  return url.pathname === CONFIG.nearPath ? new URL(CONFIG.nearPath, url.origin).href : null;
}

async function keepPage(request, response) {
  const headers = new Headers(response.headers);
  headers.set(CACHED_AT, String(Date.now()));
  const body = await response.clone().arrayBuffer();
  const copy = () => new Response(body, { status: response.status, statusText: response.statusText, headers });
  const cache = await caches.open(PAGE_CACHE);
  await cache.put(request.url, copy());
  const last = lastCopyKey(new URL(request.url));
  if (last && last !== request.url) await cache.put(last, copy());
}

async function offlineCopy(request) {
  const cache = await caches.open(PAGE_CACHE);
  let cached = await cache.match(request.url, { ignoreVary: true });
  const last = lastCopyKey(new URL(request.url));
  if (!cached && last) cached = await cache.match(last, { ignoreVary: true });
  if (!cached) return null;
  const html = await cached.text();
  const stamp = cached.headers.get(CACHED_AT) || "";
  // The page's own script (core/app.js) reads this and shows the dated offline banner.
  const marked = html.replace("</head>", '<meta name="ci-offline-copy" content="' + stamp + '"></head>');
  const headers = new Headers(cached.headers);
  headers.delete("Content-Length");
  return new Response(marked, { status: 200, headers });
}

async function page(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    const cacheControl = response.headers.get("Cache-Control") || "";
    if (response.ok && !cacheControl.includes("no-store") && isKeptPage(new URL(request.url))) {
      event.waitUntil(keepPage(request, response));
    }
    return response;
  } catch (error) {
    const copy = isKeptPage(new URL(request.url)) ? await offlineCopy(request) : null;
    if (copy) return copy;
    throw error;
  }
}

async function shellFile(request) {
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(SHELL_CACHE);
    putQuietly(cache, request, response.clone());
  }
  return response;
}

function putQuietly(cache, request, response) {
  cache.put(request, response).catch(() => undefined);
}

// Other static files (maps, page scripts): the network first, the last copy when offline.
async function staticFile(request) {
  try {
    const response = await fetch(request);
    if (response.ok) putQuietly(await caches.open(SHELL_CACHE), request, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(request, { ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (CONFIG.shell.includes(url.pathname)) {
    event.respondWith(shellFile(request));
  } else if (url.pathname.startsWith(CONFIG.staticUrl)) {
    event.respondWith(staticFile(request));
  }
});
