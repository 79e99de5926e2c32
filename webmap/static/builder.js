/* The embed builder: moving the small map fills the centre and zoom fields, and the preview and the snippet
   follow every change of the form without a reload. */
(function () {
  "use strict";
  function theMap(form) {
    var box = form.querySelector(".folium-map");
    return box ? window[box.id] : null;
  }
  // The /embed URL of the form's choices: empty fields left out, the categories as one comma-separated value.
  function embedUrl(form) {
    var query = new URLSearchParams(), categories = [];
    new FormData(form).forEach(function (value, name) {
      if (!value) return;
      if (name === "category") categories.push(value);
      else query.set(name, value);
    });
    if (categories.length) query.set("category", categories.join(","));
    var text = query.toString();
    return form.dataset.embed + (text ? "?" + text : "");
  }
  function refresh(form) {
    var src = embedUrl(form), preview = document.getElementById("preview"), box = document.getElementById("snippet");
    if (preview && preview.getAttribute("src") !== src) preview.setAttribute("src", src);
    if (box) box.value = box.value.replace(/src="[^"]*"/, 'src="' + src.replace(/"/g, "&quot;") + '"');
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("builder");
    if (!form) return;
    var timer = null;
    function later() { clearTimeout(timer); timer = setTimeout(function () { refresh(form); }, 300); }
    form.addEventListener("change", later);
    form.addEventListener("input", later);
    // The small map is built after the page's first paint (webmap/mapbuild.py), and says so.
    document.addEventListener("scp:map-ready", function () { followMap(form, theMap(form), later); });
  });
  function followMap(form, map, later) {
    if (!map) return;
    // Only a move away from the first view fills the fields: the first view is the unit's, not a choice (a resize
    // of the page also ends with a moveend).
    var first = { centre: map.getCenter(), zoom: map.getZoom() };
    map.on("moveend", function () {
      var centre = map.getCenter();
      if (map.getZoom() === first.zoom && map.project(centre).distanceTo(map.project(first.centre)) < 2) return;
      form.elements.lat.value = centre.lat.toFixed(5);
      form.elements.lon.value = centre.lng.toFixed(5);
      form.elements.zoom.value = String(Math.round(map.getZoom()));
      later();
    });
    // Typed centre and zoom move the small map too.
    ["lat", "lon", "zoom"].forEach(function (name) {
      form.elements[name].addEventListener("change", function () {
        var lat = parseFloat(form.elements.lat.value), lon = parseFloat(form.elements.lon.value);
        var zoom = parseInt(form.elements.zoom.value, 10);
        if (isFinite(lat) && isFinite(lon)) map.setView([lat, lon], isFinite(zoom) ? zoom : map.getZoom());
      });
    });
    document.getElementById("clear-view").addEventListener("click", function () {
      ["lat", "lon", "zoom"].forEach(function (name) { form.elements[name].value = ""; });
      refresh(form);
    });
  }
})();
