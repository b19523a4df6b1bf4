/* The public map: asks the server for the visible box and zoom, draws its clusters. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  var config = document.getElementById("map-config");
  if (!el || !window.L || !config) { return; }
  var map = SPMap.makeMap(el);
  // "#zoom/lat/lon" in the address opens the map there, and follows it: a view can be shared.
  var view = /^#(\d{1,2})\/(-?\d{1,2}(?:\.\d+)?)\/(-?\d{1,3}(?:\.\d+)?)$/.exec(window.location.hash);
  if (view) { map.setView([parseFloat(view[2]), parseFloat(view[3])], parseInt(view[1], 10)); }
  map.on("moveend", function () {
    var c = map.getCenter();
    if (window.history.replaceState) {
      window.history.replaceState(null, "", "#" + map.getZoom() + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4));
    }
  });
  var layer = L.layerGroup().addTo(map);
  var icon = SPMap.pinIcon(el);
  var pending = null;

  // Citizens' figures for a point, from the feedback API, once enough people have answered.
  function addFeedback(popup, id) {
    var url = config.dataset.summaryUrl;
    if (!url) { return; }
    fetch(url.replace("/0/", "/" + id + "/"))
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s || !s.published || s.satisfaction_top_two_share === null) { return; }
        var line = document.createElement("p");
        line.textContent = config.dataset.summaryLabel
          .replace("{share}", Math.round(s.satisfaction_top_two_share * 100) + "%")
          .replace("{count}", String(s.responses));
        popup.appendChild(line);
      }).catch(function () {});
  }

  function load() {
    var b = map.getBounds();
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(config.dataset.clustersUrl + "?bbox=" + bbox + "&zoom=" + map.getZoom(), { signal: pending.signal })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        layer.clearLayers();
        data.clusters.forEach(function (c) {
          var size = c.count < 10 ? 32 : c.count < 100 ? 38 : c.count < 1000 ? 44 : 52;
          var m = L.marker([c.lat, c.lon], {
            icon: L.divIcon({ className: "sp-cluster", html: String(c.count), iconSize: [size, size] }),
            keyboard: true, title: String(c.count), alt: String(c.count)
          });
          m.on("click", function () { map.setView([c.lat, c.lon], Math.min(map.getZoom() + 2, 18)); });
          layer.addLayer(m);
        });
        data.points.forEach(function (p) {
          var m = L.marker([p.lat, p.lon], { icon: icon, title: p.name, alt: p.name });
          var link = document.createElement("a");
          link.href = p.url;
          link.textContent = p.name;
          var popup = document.createElement("div");
          popup.appendChild(link);
          if (p.address) {
            var address = document.createElement("p");
            address.className = "sp-popup-address";
            address.textContent = p.address;
            popup.appendChild(address);
          }
          m.bindPopup(popup);
          m.once("popupopen", function () { addFeedback(popup, p.id); });
          layer.addLayer(m);
        });
        el.dataset.loaded = String(data.total);
      }).catch(function () {});
  }
  map.on("moveend", load);
  load();
})();
