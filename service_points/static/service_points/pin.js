/* The pin page: use my location (with its accuracy), drag the pin or tap the map. */
(function () {
  "use strict";
  var el = document.getElementById("pin-map");
  var config = document.getElementById("pin-config");
  if (!el || !window.L) { return; }
  var latInput = document.getElementById("id_latitude");
  var lonInput = document.getElementById("id_longitude");
  var status = document.getElementById("location-status");
  var map = SPMap.makeMap(el);
  var marker = null, circle = null;

  function place(lat, lon, zoom) {
    var at = L.latLng(lat, lon);
    if (!marker) {
      marker = L.marker(at, { draggable: true, icon: SPMap.pinIcon(el), title: config.dataset.pinTitle || "", alt: "" }).addTo(map);
      marker.on("dragend", function () { write(marker.getLatLng()); });
    } else {
      marker.setLatLng(at);
    }
    if (zoom) { map.setView(at, Math.max(map.getZoom(), zoom)); }
  }
  function write(at) {
    latInput.value = at.lat.toFixed(7);
    lonInput.value = at.lng.toFixed(7);
    latInput.dispatchEvent(new Event("change"));
  }

  var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
  if (isFinite(lat) && isFinite(lon)) { place(lat, lon, 17); }

  map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng); write(e.latlng); });
  [latInput, lonInput].forEach(function (input) {
    input.addEventListener("input", function () {
      var a = parseFloat(latInput.value), b = parseFloat(lonInput.value);
      if (isFinite(a) && isFinite(b)) { place(a, b, 15); }
    });
  });

  var button = document.getElementById("use-location");
  if (navigator.geolocation && button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = config.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var c = pos.coords;
        place(c.latitude, c.longitude, 18);
        write(L.latLng(c.latitude, c.longitude));
        if (circle) { map.removeLayer(circle); }
        circle = L.circle([c.latitude, c.longitude], { radius: c.accuracy, interactive: false }).addTo(map);
        status.textContent = config.dataset.accuracyTemplate.replace("%(m)s", Math.round(c.accuracy));
      }, function () {
        status.textContent = config.dataset.denied;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
    });
  }

  // Province -> district -> subdistrict lists follow each other.
  function cascade(select, param, target, reset) {
    select.addEventListener("change", function () {
      var url = config.dataset.divisionsUrl + "?" + param + "=" + encodeURIComponent(select.value);
      fetch(url).then(function (r) { return r.text(); }).then(function (html) {
        target.innerHTML = html;
        if (reset) { reset.innerHTML = ""; }
      });
    });
  }
  var province = document.getElementById("id_province_code");
  var district = document.getElementById("id_district_code");
  var subdistrict = document.getElementById("id_subdistrict_code");
  if (province && district && subdistrict) {
    cascade(province, "province_code", district, subdistrict);
    cascade(district, "district_code", subdistrict, null);
  }
})();
