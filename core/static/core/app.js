/* The installable app (ADR 0090): registers the service worker and, on a page served from the
   phone's copy while offline, shows when that copy was made. Pages work without it. */
"use strict";
(function () {
  // After the page has loaded, so the first visit draws before the worker fetches the shell.
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      var first = !navigator.serviceWorker.controller;
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { return undefined; });
      // This page came before the worker: it keeps a copy now, for the next visit.
      if (first) {
        navigator.serviceWorker.ready.then(function (registration) {
          registration.active.postMessage({ type: "first-page" });
        });
      }
    });
  }
  // A form sent back with errors: its summary takes the focus, so a screen reader reads it
  // first and the next Tab reaches the link to the first field in error.
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();

  // "Navigate" opens the phone's own map app; the link's Google Maps address is the fallback.
  var ua = navigator.userAgent;
  var apple = /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
  var android = /Android/.test(ua);
  document.querySelectorAll("a[data-directions]").forEach(function (link) {
    var at = link.getAttribute("data-lat") + "," + link.getAttribute("data-lon");
    var label = encodeURIComponent(link.getAttribute("data-label") || "");
    if (apple) link.href = "https://maps.apple.com/?daddr=" + at + "&q=" + label;
    else if (android) link.href = "geo:" + at + "?q=" + at + "(" + label + ")";
  });

  // Stars: saved points and services live on this phone only (no account), listed on the home page.
  var KEY = "ci-stars";
  function stars() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (error) { return []; }
  }
  function keep(list) {
    try { localStorage.setItem(KEY, JSON.stringify(list)); } catch (error) { return; }
  }
  var slot = document.querySelector("[data-star]");
  if (slot) {
    var here = location.pathname;
    var button = document.createElement("button");
    var mark = document.createElement("span");
    button.type = "button";
    button.className = "secondary star-button";
    mark.setAttribute("aria-hidden", "true");
    button.appendChild(mark);
    button.appendChild(document.createTextNode(" " + slot.getAttribute("data-label")));
    var draw = function () {
      var on = stars().some(function (star) { return star.url === here; });
      button.setAttribute("aria-pressed", on ? "true" : "false");
      mark.textContent = on ? "\u2605" : "\u2606";
    };
    button.addEventListener("click", function () {
      var list = stars().filter(function (star) { return star.url !== here; });
      if (button.getAttribute("aria-pressed") !== "true") {
        list.unshift({ kind: slot.getAttribute("data-kind"), url: here, name: slot.getAttribute("data-name") });
      }
      keep(list.slice(0, 50));
      draw();
    });
    draw();
    slot.appendChild(button);
    slot.hidden = false;
  }
  var saved = document.getElementById("saved");
  var list = stars();
  if (saved && list.length) {
    var ul = saved.querySelector("ul");
    list.forEach(function (star) {
      if (typeof star.url !== "string" || star.url.charAt(0) !== "/" || star.url.charAt(1) === "/") return;
      var li = document.createElement("li");
      var link = document.createElement("a");
      var kind = document.createElement("span");
      link.href = star.url;
      link.textContent = String(star.name || star.url);
      kind.className = "saved-kind";
      kind.textContent = " · " + (saved.getAttribute(star.kind === "service" ? "data-service" : "data-point") || "");
      li.appendChild(link);
      li.appendChild(kind);
      ul.appendChild(li);
    });
    saved.hidden = !ul.children.length;
  }

  // Feedback: the phone names each answer, so one sent again (offline queue, retry) counts once.
  var answerForm = document.querySelector("form[data-answer-form]");
  var submission = answerForm && answerForm.elements.namedItem("submission");
  if (submission && !submission.value) submission.value = newId();

  // Answers kept on the phone (sw.js): their state, and a nudge to send them when online.
  var queue = document.getElementById("answer-queue");
  var worker = navigator.serviceWorker;
  if (queue && worker) {
    var mine = document.querySelector('meta[name="ci-answer"]');
    worker.addEventListener("message", function (event) {
      var list = event.data && event.data.type === "answers" ? event.data.list : null;
      if (!list || !list.length) return;
      var shown = list.filter(function (a) { return mine && a.id === mine.content; })[0] ||
        list.reduce(function (a, b) { return a.at > b.at ? a : b; });
      queue.textContent = queue.getAttribute("data-" + shown.state) || "";
    });
    var ask = function () {
      if (worker.controller) worker.controller.postMessage({ type: "answers" });
    };
    window.addEventListener("online", ask);
    worker.ready.then(function (registration) {
      if (registration.sync) registration.sync.register("ci-answers").catch(function () { return undefined; });
      ask();
    });
    setInterval(ask, 30000); // in case neither sync nor "online" comes (a weak signal)
  }

  var copy = document.querySelector('meta[name="ci-offline-copy"]');
  var banner = document.getElementById("offline-banner");
  if (!copy || !banner) return;
  var when = new Date(Number(copy.getAttribute("content")) || Date.now());
  var lang = document.documentElement.lang === "th" ? "th-TH-u-ca-buddhist" : "en-GB";
  var text = when.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
  var slow = copy.getAttribute("data-why") === "slow";
  banner.textContent = banner.getAttribute(slow ? "data-slow" : "data-label") + " " + text;
  banner.hidden = false;
  // Shown because the network was slow: when the page's newer copy arrives, offer it.
  if (slow && worker) {
    worker.addEventListener("message", function (event) {
      if (!event.data || event.data.type !== "page-fresh") return;
      var show = document.createElement("button");
      show.type = "button";
      show.className = "link-button";
      show.textContent = banner.getAttribute("data-show");
      show.addEventListener("click", function () { location.reload(); });
      banner.textContent = banner.getAttribute("data-fresh") + " ";
      banner.appendChild(show);
    });
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64; // version 4
    bytes[8] = (bytes[8] & 63) | 128; // the RFC 9562 variant
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }
})();
