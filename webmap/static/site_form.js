/* The site form: click the map to place the site, or type coordinates, or pick a ward to centre on it. */
(function () {
  "use strict";
  var marker = null;

  function setPoint(map, lat, lon, zoom) {
    if (marker) marker.setLatLng([lat, lon]); else marker = L.marker([lat, lon]).addTo(map);
    if (zoom) map.setView([lat, lon], zoom);
  }

  function attach(map) {
    var lat = document.getElementById("lat"), lon = document.getElementById("lon");
    var precision = document.getElementById("location_precision");
    var latNumber = parseFloat(lat.value), lonNumber = parseFloat(lon.value);
    if (!isNaN(latNumber) && !isNaN(lonNumber)) setPoint(map, latNumber, lonNumber);
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      if (precision) precision.value = "exact";
      setPoint(map, event.latlng.lat, event.latlng.lng);
    });
    var ward = document.getElementById("ward");
    if (ward) ward.addEventListener("change", function () {
      var option = document.querySelector('#wards option[value="' + CSS.escape(ward.value) + '"]');
      if (!option) return;
      var wlat = parseFloat(option.dataset.lat), wlon = parseFloat(option.dataset.lon);
      lat.value = wlat.toFixed(6); lon.value = wlon.toFixed(6);
      document.getElementById("ward_code").value = option.dataset.code;
      if (precision) precision.value = "ward";
      setPoint(map, wlat, wlon, 13);
    });
    var category = document.getElementById("category");
    function showMeasures() {
      var wanted = (window.scpCategoryMeasures || {})[category.value] || [];
      document.querySelectorAll("[data-measure]").forEach(function (box) {
        box.hidden = wanted.indexOf(box.dataset.measure) < 0;
      });
    }
    category.addEventListener("change", showMeasures);
    showMeasures();
  }

  window.ScpSiteForm = { attach: attach };
})();
