/* The embed builder: moving the small map fills the area field (bounds=west,south,east,north: the embed fits it at
   any width), choosing a district or commune shows it on the small map, and the preview and the snippet follow every
   change of the form without a reload. */
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
  // A centre and zoom of an older embed address give way to the area chosen.
  function dropOldView(form) {
    form.querySelectorAll("input[type=hidden][name=lat], input[type=hidden][name=lon], input[type=hidden][name=zoom]")
      .forEach(function (input) { input.remove(); });
  }
  function followMap(form, map, later) {
    if (!map) return;
    var limits = JSON.parse(form.dataset.limits);  // [[south, west], [north, east]] an embed's area must lie in
    function clamp(value, low, high) { return Math.min(Math.max(value, low), high); }
    // A view the page set (the first, a chosen unit's, a typed area's) is not a choice: only a move away from it
    // fills the area; nor is the end of a resize of the page.
    var set = null, size = map.getSize(), showing = false;
    function remember() { set = { centre: map.getCenter(), zoom: map.getZoom() }; }
    function show(bounds) {
      showing = true;  // its moveend comes before fitBounds returns
      map.fitBounds(bounds, { animate: false });
      showing = false;
      remember();
    }
    remember();
    map.on("moveend", function () {
      var centre = map.getCenter(), now = map.getSize();
      if (showing) return;
      if (!now.equals(size)) { size = now; return; }
      if (map.getZoom() === set.zoom && map.project(centre).distanceTo(map.project(set.centre)) < 2) return;
      var b = map.getBounds();
      form.elements.bounds.value = [clamp(b.getWest(), limits[0][1], limits[1][1]),
                                    clamp(b.getSouth(), limits[0][0], limits[1][0]),
                                    clamp(b.getEast(), limits[0][1], limits[1][1]),
                                    clamp(b.getNorth(), limits[0][0], limits[1][0])]
        .map(function (n) { return n.toFixed(4); }).join(",");
      dropOldView(form);
      later();
    });
    // A typed area moves the small map too.
    form.elements.bounds.addEventListener("change", function () {
      var n = form.elements.bounds.value.split(",").map(parseFloat);
      if (n.length === 4 && n.every(isFinite)) { show([[n[1], n[0]], [n[3], n[2]]]); dropOldView(form); }
    });
    // A district or commune chosen is the area: the small map shows it, and the embed fits it by itself.
    ["district", "commune"].forEach(function (name) {
      var select = form.elements[name], bounds = JSON.parse(select.dataset.bounds);
      select.addEventListener("change", function () {
        if (!bounds[select.value]) return;
        form.elements.bounds.value = "";
        dropOldView(form);
        show(bounds[select.value]);
      });
    });
    document.getElementById("clear-view").addEventListener("click", function () {
      form.elements.bounds.value = "";
      dropOldView(form);
      refresh(form);
    });
  }
})();
