/* Loads approved sites from /api/sites into the map's category layers.
   Every text of a site goes into the page as a text node, never as HTML. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.appendChild(document.createTextNode(String(text)));
    return node;
  }

  function formatNumber(value, lang) {
    if (typeof value !== "number") return String(value);
    return value.toLocaleString(lang === "en" ? "en-GB" : "vi-VN", { maximumFractionDigits: 2 });
  }

  function formatDate(iso, lang) {
    if (!iso) return "";
    var parts = iso.split("-");
    return lang === "en" ? iso : parts[2] + "/" + parts[1] + "/" + parts[0];
  }

  function row(table, label, value) {
    if (value === undefined || value === null || value === "") return;
    var tr = el("tr");
    tr.appendChild(el("th", null, label));
    tr.appendChild(el("td", null, value));
    table.appendChild(tr);
  }

  function popupContent(p, config) {
    var labels = config.labels, lang = labels.lang;
    var box = el("div", "site-popup");
    var title = el("strong", "site-name", p.name);
    box.appendChild(title);
    if (p.is_sample) {
      box.appendChild(document.createTextNode(" "));
      box.appendChild(el("span", "sample-badge", labels.sample));
    }
    var table = el("table", "site-details");
    var category = config.categories[p.category];
    row(table, labels.category, category ? category.name : p.category);
    row(table, labels.status, labels.statuses[p.status] || p.status);
    row(table, labels.district, p.district_name);
    if (p.commune_name) row(table, labels.commune, p.commune_name);
    row(table, labels.plan_task, p.plan_task);
    row(table, labels.lead_agency, p.lead_agency);
    row(table, labels.address, p.address);
    Object.keys(p.measures || {}).forEach(function (key) {
      var m = labels.measures[key];
      var value = p.measures[key];
      if (typeof value === "boolean") value = value ? labels.yes : labels.no;
      else value = formatNumber(value, lang) + (m && m.unit ? " " + m.unit : "");
      row(table, m ? m.label : key, value);
    });
    row(table, labels.start_date, formatDate(p.start_date, lang));
    row(table, labels.end_date, formatDate(p.end_date, lang));
    if (p.location_precision && p.location_precision !== "exact") {
      row(table, labels.precision, labels.precisions[p.location_precision] || p.location_precision);
    }
    row(table, labels.source, p.source);
    box.appendChild(table);
    if (p.description) box.appendChild(el("p", "site-description", p.description));
    return box;
  }

  function pin(category) {
    var span = el("span", "site-pin");
    span.style.background = category ? category.colour : "#607d8b";
    var icon = el("i", "fa fa-" + (category ? category.icon : "circle"));
    span.appendChild(icon);
    return L.divIcon({ html: span, className: "site-pin-wrap", iconSize: [26, 26], iconAnchor: [13, 13],
                       popupAnchor: [0, -12] });
  }

  function showCount(text) {
    var node = document.getElementById("site-count");
    if (node) node.textContent = text;
  }

  function load(map, config, layers) {
    var shown = 0, failed = false;
    window.scpSiteMarkers = [];
    function page(url) {
      return fetch(url, { headers: { Accept: "application/geo+json" } }).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      }).then(function (body) {
        body.features.forEach(function (feature) {
          var p = feature.properties, c = feature.geometry.coordinates;
          var layer = layers[p.category];
          if (!layer) return;
          var marker = L.marker([c[1], c[0]], { icon: pin(config.categories[p.category]), title: p.name });
          marker.bindPopup(function () { return popupContent(p, config); }, { maxWidth: 340 });
          marker.bindTooltip(function () { return el("span", null, p.name); });
          marker.siteId = p.id;
          marker.siteCategory = p.category;
          layer.addLayer(marker);
          window.scpSiteMarkers.push(marker);
          shown += 1;
        });
        if (body.numberReturned > 0 && shown < body.numberMatched && body.lastId !== null) {
          var next = url.replace(/([?&])cursor=\d+/, "$1").replace(/[?&]$/, "");
          return page(next + (next.indexOf("?") < 0 ? "?" : "&") + "cursor=" + body.lastId);
        }
        return body;
      });
    }
    showCount(config.labels.loading);
    page(config.api).then(function () {
      showCount(config.labels.count.replace("%(count)s", formatNumber(shown, config.labels.lang)));
      document.body.setAttribute("data-sites-loaded", String(shown));
    }).catch(function () {
      failed = true;
      showCount(config.labels.load_failed);
      document.body.setAttribute("data-sites-loaded", "error");
    });
    return failed;
  }

  window.ScpSites = { load: load, popupContent: popupContent };
})();
