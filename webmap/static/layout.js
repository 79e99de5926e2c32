/* Buttons that open and close a panel or menu: [data-toggles="ID"] toggles the class "open" on element ID. */
(function () {
  "use strict";
  function setOpen(button, target, open) {
    target.classList.toggle("open", open);
    document.querySelectorAll('[data-toggles="' + target.id + '"]').forEach(function (b) {
      b.setAttribute("aria-expanded", open ? "true" : "false");
    });
    if (open) {
      var first = target.querySelector("input, select, button, a[href]");
      if (first && button.classList.contains("panel-toggle")) first.focus();
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-toggles]");
    if (!button) return;
    var target = document.getElementById(button.dataset.toggles);
    if (!target) return;
    var open = button.dataset.action === "close" ? false : !target.classList.contains("open");
    setOpen(button, target, open);
    if (!open && button.dataset.action === "close") {
      var opener = document.querySelector('.panel-toggle[data-toggles="' + target.id + '"]');
      if (opener) opener.focus();
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    // A panel that stands open on a wide screen starts closed on a phone, so the map has the screen.
    if (window.matchMedia("(max-width: 760px)").matches) {
      document.querySelectorAll("details[data-close-narrow]").forEach(function (d) { d.open = false; });
    }
  });
  // What stands over a map besides its controls: the page's buttons and panels laid on it.
  var OVER_MAP = ".leaflet-control, .panel-toggle, .embed-panel, .map-year";

  // The options of a popup on a map: placed clear of the map's controls (zoom, full screen, layers, legend, scale,
  // attribution) and of what the page lays over it, and no taller than the room between them, so nothing covers its
  // top or its close ×.
  function popupOptions(map) {
    var container = map.getContainer(), box = container.getBoundingClientRect(), top = 0, bottom = 0;
    var middle = box.top + box.height / 2;
    (container.parentElement || container).querySelectorAll(OVER_MAP).forEach(function (thing) {
      var edge = thing.getBoundingClientRect();
      if (!edge.width || !edge.height || edge.bottom <= box.top || edge.top >= box.bottom) return;
      if (edge.height > box.height / 2) return;  // a panel open down a side: no room above or below it to give
      if (edge.top + edge.height / 2 < middle) top = Math.max(top, edge.bottom - box.top);
      else bottom = Math.max(bottom, box.bottom - edge.top);
    });
    return {
      maxWidth: Math.max(160, Math.min(340, box.width - 70)),
      // The popup's own frame and tip take about 60 px beyond its content.
      maxHeight: Math.max(120, box.height - top - bottom - 80),
      autoPanPaddingTopLeft: [10, top + 10],
      autoPanPaddingBottomRight: [10, bottom + 10]
    };
  }
  window.ScpLayout = { popupOptions: popupOptions };
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".open[id]").forEach(function (target) {
      var opener = document.querySelector('[data-toggles="' + target.id + '"]');
      if (opener) setOpen(opener, target, false);
    });
  });
})();
