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
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".open[id]").forEach(function (target) {
      var opener = document.querySelector('[data-toggles="' + target.id + '"]');
      if (opener) setOpen(opener, target, false);
    });
  });
})();
