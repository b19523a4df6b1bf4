/* The installable app (ADR 0090): registers the service worker and, on a page served from the
   phone's copy while offline, shows when that copy was made. Pages work without it. */
"use strict";
(function () {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { return undefined; });
  }
  var copy = document.querySelector('meta[name="ci-offline-copy"]');
  var banner = document.getElementById("offline-banner");
  if (!copy || !banner) return;
  var when = new Date(Number(copy.getAttribute("content")) || Date.now());
  var lang = document.documentElement.lang === "th" ? "th-TH-u-ca-buddhist" : "en-GB";
  var text = when.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
  banner.textContent = banner.getAttribute("data-label") + " " + text;
  banner.hidden = false;
})();
