/* The public complaints map: the filtered complaints as pins; the table below works without it. */
(function () {
  "use strict";
  var el = document.getElementById("complaints-map");
  var config = document.getElementById("complaints-map-config");
  if (!el || !config || !window.L || !window.SPMap) { return; }
  var map = SPMap.makeMap(el);
  fetch(config.dataset.url).then(function (r) { return r.json(); }).then(function (data) {
    var layer = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) { return L.marker(latlng, { icon: SPMap.pinIcon(el), alt: feature.properties.reference }); },
      onEachFeature: function (feature, marker) {
        var p = feature.properties, a = document.createElement("a");
        a.href = p.url; a.textContent = p.reference + " · " + p.category + " · " + p.state;
        marker.bindPopup(a);
      }
    }).addTo(map);
    if (data.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 15 }); }
  }).catch(function () {});
})();
