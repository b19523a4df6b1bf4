/* Shared by the service-point maps: a Leaflet map that works with or without a tile server. */
(function () {
  "use strict";
  var THAILAND = [[5.6, 97.3], [20.5, 105.7]];

  function makeMap(el, options) {
    var map = L.map(el, Object.assign({ zoomSnap: 1, worldCopyJump: false }, options || {}));
    map.attributionControl.setPrefix(false);
    var tileUrl = el.dataset.tileUrl;
    var outline = null;
    var tilesFailed = !tileUrl;
    var notice = document.getElementById(el.dataset.noticeId || "");

    function showOutlineOnly() {
      // No street map: fill the country so the pins stand on land, and say why.
      tilesFailed = true;
      el.classList.add("sp-map-no-tiles");
      if (outline) { outline.setStyle({ fillOpacity: 0.6 }); }
      if (notice) { notice.hidden = false; }
    }

    if (tileUrl) {
      var loaded = 0, failed = 0;
      var layer = L.tileLayer(tileUrl, {
        maxZoom: parseInt(el.dataset.tileMaxZoom, 10) || 19,
        attribution: el.dataset.tileAttribution || "",
        // OpenStreetMap's tile usage policy asks for a Referer; the site's policy sends none.
        referrerPolicy: "strict-origin-when-cross-origin"
      });
      layer.on("tileload", function () {
        loaded += 1;
        if (tilesFailed) {
          tilesFailed = false;
          el.classList.remove("sp-map-no-tiles");
          if (outline) { outline.setStyle({ fillOpacity: 0 }); }
          if (notice) { notice.hidden = true; }
        }
      });
      layer.on("tileerror", function () {
        failed += 1;
        if (!loaded && failed >= 2) { showOutlineOnly(); }
      });
      // A server that never answers raises no error quickly: give it ten seconds.
      window.setTimeout(function () { if (!loaded) { showOutlineOnly(); } }, 10000);
      layer.addTo(map);
    } else {
      el.classList.add("sp-map-no-tiles");
    }
    // Thailand's outline: always there, so the map is readable when no tile server answers.
    fetch(el.dataset.boundaryUrl).then(function (r) { return r.json(); }).then(function (geo) {
      outline = L.geoJSON(geo, { interactive: false, style: { color: "#0b3d91", weight: 1, fillColor: "#e8eef8", fillOpacity: tilesFailed ? 0.6 : 0 } }).addTo(map);
      outline.bringToBack();
      map.attributionControl.addAttribution(el.dataset.boundaryCredit);
    }).catch(function () {});
    map.fitBounds(THAILAND);
    return map;
  }

  function pinIcon(el) {
    return L.icon({
      iconUrl: el.dataset.iconUrl, iconRetinaUrl: el.dataset.icon2xUrl, shadowUrl: el.dataset.shadowUrl,
      iconSize: [25, 41], iconAnchor: [12, 41], popupAnchor: [1, -34], shadowSize: [41, 41]
    });
  }

  window.SPMap = { makeMap: makeMap, pinIcon: pinIcon, THAILAND: THAILAND };
})();
