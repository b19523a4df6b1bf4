/* Shared by the service-point maps: a Leaflet map that works with or without a tile server. */
(function () {
  "use strict";
  var THAILAND = [[5.6, 97.3], [20.5, 105.7]];

  function makeMap(el, options) {
    var map = L.map(el, Object.assign({ zoomSnap: 1, worldCopyJump: false }, options || {}));
    map.attributionControl.setPrefix(false);
    var tileUrl = el.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    } else {
      el.classList.add("sp-map-no-tiles");
    }
    // Thailand's outline: always there, so the map is readable when no tile server answers.
    fetch(el.dataset.boundaryUrl).then(function (r) { return r.json(); }).then(function (geo) {
      L.geoJSON(geo, { interactive: false, style: { color: "#0b3d91", weight: 1, fillColor: "#e8eef8", fillOpacity: tileUrl ? 0 : 0.6 } }).addTo(map);
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
