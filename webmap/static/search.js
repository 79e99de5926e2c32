/* The search box of the map pages: asks /api/search as the person types and zooms the map to the chosen place.
   Results go into the page as text nodes, never as HTML. */
(function () {
  "use strict";
  function theMap() {
    var box = document.querySelector(".folium-map");
    return box ? window[box.id] : null;
  }
  // A unit: the map fits it. A site: the map centres on it and opens its popup (static/sites.js).
  function show(place) {
    var map = theMap();
    if (!map) return;
    if (place.bounds) map.fitBounds(place.bounds);
    else map.setView([place.lat, place.lon], Math.max(map.getZoom(), place.kind === "site" ? 16 : 14));
    if (place.kind === "site" && window.ScpSites && window.ScpSites.openSite) window.ScpSites.openSite(place.code);
  }
  // On a phone the panel lies over the map: the chosen place is seen only once the panel closes.
  function closeNarrowPanel(form) {
    var panel = form.closest(".open[id]");
    if (!panel || !window.matchMedia("(max-width: 760px)").matches) return;
    var closer = panel.querySelector('[data-toggles="' + panel.id + '"][data-action="close"]');
    if (closer) closer.click();
  }
  function attach(form) {
    var input = form.querySelector("input[type=search]"), list = form.querySelector(".search-results");
    var note = form.querySelector("[aria-live]"), timer = null, asked = 0;
    function render(results) {
      list.textContent = "";
      note.textContent = results.length ? "" : form.dataset.none;
      results.forEach(function (place) {
        var li = document.createElement("li"), button = document.createElement("button");
        button.type = "button";
        button.appendChild(document.createTextNode(place.name));
        if (place.where) {
          var small = document.createElement("small");
          small.appendChild(document.createTextNode(" — " + place.where));
          button.appendChild(small);
        }
        button.addEventListener("click", function () { closeNarrowPanel(form); show(place); });
        li.appendChild(button);
        list.appendChild(li);
      });
    }
    function ask() {
      var q = input.value.trim(), mine = ++asked;
      if (q.length < 2) { list.textContent = ""; note.textContent = ""; return; }
      var url = form.dataset.search + (form.dataset.search.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
      fetch(url).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (body) { if (mine === asked) render(body.results); })
        .catch(function () { if (mine === asked) note.textContent = form.dataset.failed; });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 250); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      ask();
      var first = list.querySelector("button");
      if (first) first.click();
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-search]").forEach(attach);
  });
  window.ScpSearch = { show: show };
})();
