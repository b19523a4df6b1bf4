(function () {
  "use strict";
  var button = document.getElementById("use-location");
  var form = document.getElementById("near-form");
  var status = document.getElementById("location-status");
  if (!button || !form || !navigator.geolocation) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("near-lat").value = pos.coords.latitude.toFixed(6);
      document.getElementById("near-lon").value = pos.coords.longitude.toFixed(6);
      form.submit();
    }, function () {
      status.textContent = button.dataset.denied || "";
      status.classList.add("error");
      var place = document.getElementById("id_q");
      if (place) { place.focus(); }
    }, { timeout: 15000, maximumAge: 60000 });
  });
})();
