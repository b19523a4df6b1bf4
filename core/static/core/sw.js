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
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(CONFIG.shell).then(() => keepWaitingPage(cache)))
      .then(() => self.skipWaiting())
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

// The page open when the worker arrived was loaded without it (app.js asks once, after the
// install): keep its copy now, so the next visit can already be drawn from the phone.
async function keepFirstPage(href) {
  const url = new URL(href);
  if (url.origin !== self.location.origin || !isKeptPage(url)) return;
  try {
    const response = await fetch(url.href, { credentials: "same-origin" });
    const cacheControl = response.headers.get("Cache-Control") || "";
    if (response.ok && !cacheControl.includes("no-store")) await keepPage(new Request(url.href), response);
  } catch (error) {
    return undefined;
  }
}

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

async function keptCopy(request) {
  const cache = await caches.open(PAGE_CACHE);
  let cached = await cache.match(request.url, { ignoreVary: true });
  const last = lastCopyKey(new URL(request.url));
  if (!cached && last) cached = await cache.match(last, { ignoreVary: true });
  return cached || null;
}

// `why` is "offline" or "slow": core/app.js shows the banner with the copy's date either way.
async function markedCopy(cached, why) {
  const html = await cached.text();
  const stamp = cached.headers.get(CACHED_AT) || "";
  const meta = '<meta name="ci-offline-copy" content="' + stamp + '" data-why="' + why + '">';
  const headers = new Headers(cached.headers);
  headers.delete("Content-Length");
  return new Response(html.replace("</head>", meta + "</head>"), { status: 200, headers });
}

function later(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// After a form's POST (sign in, language, sign out) the next page must come from the network:
// a copy would show the header as it was before.
let networkOnce = false;

// Public reading pages: the network when it answers within CONFIG.pageDeadline ms; else the
// phone's copy (under a day old), marked "slow", while the network's answer still refreshes
// the copy and the page is told a newer one is there. Offline: the copy, whatever its age.
async function page(event) {
  const request = event.request;
  const url = new URL(request.url);
  const kept = isKeptPage(url);
  const waitForNetwork = networkOnce;
  networkOnce = false;
  const network = fetch(request).then((response) => {
    const cacheControl = response.headers.get("Cache-Control") || "";
    if (response.ok && !cacheControl.includes("no-store") && kept) {
      event.waitUntil(keepPage(request, response));
    }
    // The network is back: answers kept on the phone go now.
    if (mayWait) event.waitUntil(flush().catch(() => undefined));
    if (answerPattern.test(url.pathname)) event.waitUntil(followLanguage(response));
    return response;
  });
  const cached = kept ? await keptCopy(request) : null;
  const young = cached && Date.now() - Number(cached.headers.get(CACHED_AT) || 0) < 86400000;
  if (!young || waitForNetwork) {
    try {
      return await network;
    } catch (error) {
      if (cached) return markedCopy(cached, "offline");
      throw error;
    }
  }
  const first = await Promise.race([network.catch(() => "offline"), later(CONFIG.pageDeadline)]);
  if (first === "offline") return markedCopy(cached, "offline");
  if (first) return first;
  event.waitUntil(network.then(() => tellFresh(event), () => undefined));
  return markedCopy(cached, "slow");
}

async function tellFresh(event) {
  const client = await self.clients.get(event.resultingClientId || event.clientId);
  if (client) client.postMessage({ type: "page-fresh" });
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

// A name with a content hash (production's manifest storage) never changes: the phone's copy.
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

// Other static files (maps, page scripts): the network first, the last copy when offline.
async function staticFile(request) {
  if (HASHED.test(new URL(request.url).pathname)) {
    const cached = await caches.match(request, { ignoreVary: true });
    if (cached) return cached;
  }
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

/* --- Feedback answers given offline (ADR 0091) ---
   A feedback form posted without a network is kept in IndexedDB and sent again, by Background
   Sync, by the page's "online" event, or on the next page the app loads. The form carries the
   phone-made `submission` id, so the server stores it once however often it arrives. */
const QUEUE_DB = "ci-app";
const QUEUE = "answers";
const SYNC_TAG = "ci-answers";
const KEEP_DAYS = 14;
const answerPattern = new RegExp(CONFIG.answerPage);

function queueStore(mode) {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(QUEUE_DB, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(QUEUE, { keyPath: "id" });
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => resolve(opening.result.transaction(QUEUE, mode).objectStore(QUEUE));
  });
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function queued() {
  return done((await queueStore("readonly")).getAll());
}

async function queuePut(entry) {
  return done((await queueStore("readwrite")).put(entry));
}

async function queueDelete(id) {
  return done((await queueStore("readwrite")).delete(id));
}

async function keepWaitingPage(cache) {
  try {
    await cache.add(new Request(CONFIG.waitingPage, { cache: "no-cache" }));
  } catch (error) {
    return undefined; // the worker still installs; waitingResponse() has a plain fallback
  }
}

// The copy follows the language the citizen reads the feedback page in.
async function followLanguage(response) {
  const cache = await caches.open(SHELL_CACHE);
  const copy = await cache.match(CONFIG.waitingPage, { ignoreVary: true });
  const language = response.headers.get("Content-Language");
  if (language && (!copy || copy.headers.get("Content-Language") !== language)) {
    await keepWaitingPage(cache);
  }
}

async function waitingResponse(id) {
  const copy = await caches.match(CONFIG.waitingPage, { ignoreVary: true });
  const html = copy
    ? await copy.text()
    : '<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"><meta name="viewport" ' +
      'content="width=device-width, initial-scale=1"><title>CITIZENinfo</title></head><body>' +
      '<h1>คำตอบของท่านเก็บไว้ในเครื่องนี้แล้ว / Your answer is kept on this phone</h1></body></html>';
  const marked = html.replace("</head>", '<meta name="ci-answer" content="' + id + '"></head>');
  return new Response(marked, { headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function answer(event) {
  const copy = event.request.clone();
  try {
    return await fetch(event.request);
  } catch (error) {
    const body = await copy.text();
    const id = new URLSearchParams(body).get("submission") || String(Date.now());
    await queuePut({ id, url: copy.url, body, at: Date.now(), state: "waiting" });
    mayWait = true;
    if (self.registration.sync) self.registration.sync.register(SYNC_TAG).catch(() => undefined);
    return waitingResponse(id);
  }
}

// What the server said: stored (thanks redirect, or held with X-Answer-Stored), try again
// later (429 refused, 5xx, no network), or refused for good (the form's errors, CSRF).
function outcome(response) {
  if (response.type === "opaqueredirect" || response.headers.get("X-Answer-Stored")) return "sent";
  if (response.status === 429 || response.status >= 500) return "waiting";
  return "refused";
}

async function sendOne(entry) {
  try {
    const response = await fetch(entry.url, {
      method: "POST",
      body: entry.body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      credentials: "same-origin",
      redirect: "manual",
    });
    return outcome(response);
  } catch (error) {
    return "waiting";
  }
}

let flushing = null;
let mayWait = true; // unknown after a restart of the worker: look once

async function sendWaiting() {
  const old = Date.now() - KEEP_DAYS * 86400000;
  let left = 0;
  for (const entry of await queued()) {
    if (entry.state !== "waiting") {
      if (entry.at < old) await queueDelete(entry.id);
      continue;
    }
    const state = await sendOne(entry);
    if (state === "waiting") left += 1;
    else await queuePut({ ...entry, state });
  }
  mayWait = left > 0;
  const list = (await queued()).map(({ id, state, at }) => ({ id, state, at }));
  const windows = await self.clients.matchAll({ type: "window" });
  windows.forEach((client) => client.postMessage({ type: "answers", list }));
  return left;
}

// One sending at a time: an answer is never in flight twice from this phone.
function flush() {
  if (!flushing) flushing = sendWaiting().finally(() => { flushing = null; });
  return flushing;
}

self.addEventListener("sync", (event) => {
  if (event.tag !== SYNC_TAG) return;
  // Rejecting asks the browser to try again later, while answers still wait.
  event.waitUntil(flush().then((left) => { if (left) throw new Error("answers still waiting"); }));
});

self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "answers") event.waitUntil(flush());
  if (type === "first-page" && event.source) event.waitUntil(keepFirstPage(event.source.url));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && answerPattern.test(url.pathname)) {
    event.respondWith(answer(event));
    return;
  }
  if (request.method !== "GET") {
    if (request.mode === "navigate") networkOnce = true;
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (CONFIG.shell.includes(url.pathname)) {
    event.respondWith(shellFile(request));
  } else if (url.pathname.startsWith(CONFIG.staticUrl)) {
    event.respondWith(staticFile(request));
  }
});
