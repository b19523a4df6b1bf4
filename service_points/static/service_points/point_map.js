(function () {
  "use strict";
  var el = document.getElementById("point-map");
  var data = document.getElementById("point-data");
  if (!el || !window.L || !data) { return; }
  var map = SPMap.makeMap(el);
  var at = [parseFloat(data.dataset.lat), parseFloat(data.dataset.lon)];
  L.marker(at, { icon: SPMap.pinIcon(el), title: data.dataset.name, alt: data.dataset.name }).addTo(map);
  map.setView(at, 16);
})();
