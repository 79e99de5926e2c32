/* The site form: tap the map to place the site, drag the marker, use the device's location, type coordinates,
   or pick a ward to centre on it. */
(function () {
  "use strict";
  // The map is built after the page's first paint (webmap/mapbuild.py), and the form works before it is: a place
  // chosen meanwhile (location, ward) is shown on the map once the map's script calls attach.
  var marker = null, theMap = null, pendingZoom = null;

  function fields() {
    return { lat: document.getElementById("lat"), lon: document.getElementById("lon"),
             precision: document.getElementById("location_precision") };
  }

  function setPoint(lat, lon, zoom) {
    if (!theMap) { pendingZoom = zoom || pendingZoom; return; }
    if (marker) marker.setLatLng([lat, lon]);
    else {
      marker = L.marker([lat, lon], { draggable: true, autoPan: true }).addTo(theMap);
      // A dragged marker is where the user put the site: its coordinates, to the exact spot.
      marker.on("dragend", function () {
        var at = marker.getLatLng(), f = fields();
        f.lat.value = at.lat.toFixed(6);
        f.lon.value = at.lng.toFixed(6);
        if (f.precision) f.precision.value = "exact";
      });
    }
    if (zoom) theMap.setView([lat, lon], zoom);
  }

  // Called by the map's script (webmap/staff.py, ClickToPlace) once the map is built.
  function attach(map) {
    var f = fields();
    theMap = map;
    var latNumber = parseFloat(f.lat.value), lonNumber = parseFloat(f.lon.value);
    if (!isNaN(latNumber) && !isNaN(lonNumber)) setPoint(latNumber, lonNumber, pendingZoom);
    // A double tap would zoom and place the site twice; here a tap places it, the buttons zoom.
    map.doubleClickZoom.disable();
    map.on("click", function (event) {
      f.lat.value = event.latlng.lat.toFixed(6);
      f.lon.value = event.latlng.lng.toFixed(6);
      if (f.precision) f.precision.value = "exact";
      setPoint(event.latlng.lat, event.latlng.lng);
    });
  }

  function attachForm() {
    var f = fields();
    if (!f.lat || !f.lon) return;
    var locate = document.getElementById("locate");
    if (locate && navigator.geolocation) locate.addEventListener("click", function () {
      var note = document.getElementById("locate-note");
      navigator.geolocation.getCurrentPosition(function (position) {
        var c = position.coords;
        f.lat.value = c.latitude.toFixed(6);
        f.lon.value = c.longitude.toFixed(6);
        // Within 50 m the device's fix counts as the exact spot; a coarser one only places the site in its ward.
        if (f.precision) f.precision.value = c.accuracy <= 50 ? "exact" : "ward";
        if (note) note.textContent = "± " + Math.round(c.accuracy) + " m";
        setPoint(c.latitude, c.longitude, 16);
      }, function (error) {
        if (note) note.textContent = locate.dataset.failed + " " + error.message;
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
    else if (locate) locate.hidden = true;
    var ward = document.getElementById("ward");
    if (ward) ward.addEventListener("change", function () {
      var option = document.querySelector('#wards option[value="' + CSS.escape(ward.value) + '"]') ||
                   matchWard(ward.value);
      var note = document.getElementById("ward-note");
      if (note) note.hidden = !!option;
      if (!option) return;
      var wlat = parseFloat(option.dataset.lat), wlon = parseFloat(option.dataset.lon);
      f.lat.value = wlat.toFixed(6); f.lon.value = wlon.toFixed(6);
      document.getElementById("ward_code").value = option.dataset.code;
      if (f.precision) f.precision.value = "ward";
      setPoint(wlat, wlon, 13);
    });
    var category = document.getElementById("category");
    function showMeasures() {
      var wanted = (window.scpCategoryMeasures || {})[category.value] || [];
      document.querySelectorAll("[data-measure]").forEach(function (box) {
        box.hidden = wanted.indexOf(box.dataset.measure) < 0;
      });
    }
    var task = document.getElementById("plan_task");
    function offerTasks() {
      // Only the plan tasks the chosen category serves; the server refuses any other by name.
      var chosen = category.options[category.selectedIndex];
      var allowed = ((chosen && chosen.dataset.tasks) || "").split(" ").filter(Boolean);
      Array.prototype.forEach.call(task.options, function (option) {
        option.hidden = option.disabled = allowed.length > 0 && allowed.indexOf(option.value) < 0;
      });
      if (task.selectedOptions.length === 0 || task.selectedOptions[0].disabled) {
        // The category's first task is the plan's own for it (geo.catalogue.default_task): VI.2 for a pilot.
        var first = allowed[0] || (Array.prototype.find.call(task.options, function (option) {
          return !option.disabled;
        }) || {}).value;
        if (first) task.value = first;
      }
    }
    category.addEventListener("change", function () { showMeasures(); offerTasks(); });
    showMeasures();
    offerTasks();
  }
  document.addEventListener("DOMContentLoaded", attachForm);

  // A new site's form gets its own key when it opens (kept if the page comes back with one): the server makes one
  // site per key, so the form sent again (from the phone's queue after a lost answer, a second tap) adds nothing.
  function keyThisFilling() {
    var field = document.getElementById("submission");
    if (!field || field.value) return;
    if (window.crypto.randomUUID) { field.value = window.crypto.randomUUID(); return; }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));  // randomUUID needs https; this does not
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    field.value = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }
  document.addEventListener("DOMContentLoaded", keyThisFilling);

  function plain(text) {
    // Without case, accents or punctuation: "Phường Vĩnh Thanh Vân" → "phuongvinhthanhvan".
    return text.toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]/g, "");
  }

  function matchWard(text) {
    // A pasted address: the ward whose name (with or without "phường/xã") it contains, the longest first,
    // preferring one whose district the address names too.
    var typed = plain(text), best = null, bestScore = 0;
    document.querySelectorAll("#wards option").forEach(function (option) {
      var parts = option.value.split(", "), full = plain(parts[0]);
      var short = plain(parts[0].replace(/^(Phường|Xã|Thị trấn)\s+/, ""));
      var district = plain((parts[1] || "").replace(/^(Thành phố|Huyện)\s+/, ""));
      var score = typed.indexOf(full) >= 0 ? full.length + 100 : (typed.indexOf(short) >= 0 ? short.length : 0);
      if (score && district && typed.indexOf(district) >= 0) score += 50;
      if (score > bestScore) { best = option; bestScore = score; }
    });
    return best;
  }

  window.ScpSiteForm = { attach: attach, matchWard: matchWard };
})();
