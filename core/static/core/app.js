/* The installable app (ADR 0090): registers the service worker and, on a page served from the
   phone's copy while offline, shows when that copy was made. Pages work without it. */
"use strict";
(function () {
  // After the page has loaded, so the first visit draws before the worker fetches the shell.
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { return undefined; });
    });
  }
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

  var copy = document.querySelector('meta[name="ci-offline-copy"]');
  var banner = document.getElementById("offline-banner");
  if (!copy || !banner) return;
  var when = new Date(Number(copy.getAttribute("content")) || Date.now());
  var lang = document.documentElement.lang === "th" ? "th-TH-u-ca-buddhist" : "en-GB";
  var text = when.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
  banner.textContent = banner.getAttribute("data-label") + " " + text;
  banner.hidden = false;
})();
