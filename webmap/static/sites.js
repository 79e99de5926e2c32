/* Draws the approved sites from the vector tiles of /tiles/sites (points, or clusters where they crowd),
   fetches a site's details from /api/sites/<id> when its point is clicked and the count from one SQL count.
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

  function showCount(text) {
    var node = document.getElementById("site-count");
    if (node) node.textContent = text;
  }

  // The categories whose switch in the layer control is off: their points are hidden and clusters
  // count without them (a cluster carries its count per category, n_<code>).
  function visibleMix(p, config, hidden) {
    var count = 0, top = null, topCount = 0;
    Object.keys(config.categories).forEach(function (code) {
      var n = p["n_" + code] || 0;
      if (hidden[code] || !n) return;
      count += n;
      if (n > topCount) { top = code; topCount = n; }
    });
    return { count: count, category: top };
  }

  function styleOf(config, hidden) {
    return function (feature, layerName) {
      var p = feature.properties;
      if (layerName === "clusters") {
        var mix = visibleMix(p, config, hidden);
        var category = config.categories[mix.category];
        return { interactive: true, className: "site-cluster", hidden: mix.count === 0, count: mix.count,
                 radius: Math.min(12 + 5 * Math.log10(Math.max(mix.count, 1)), 30), fillOpacity: 0.85,
                 fillColor: category ? category.colour : "#607d8b", color: "#ffffff", weight: 2 };
      }
      return { interactive: true, className: "site-point", hidden: !!hidden[p.category], radius: 7,
               fillOpacity: 0.95, fillColor: p.colour, color: "#ffffff", weight: 2 };
    };
  }

  // A cluster: a circle sized by its count with the number in it, as SVG in the tile.
  function clusterLayer(feature, layerName, pxPerExtent, options) {
    var self = VectorTileLayer.featureLayerBase(feature, layerName, pxPerExtent, options);
    var at = self.scalePoint(feature.loadGeometry()[0][0]);
    var circle = L.SVG.create("circle"), label = L.SVG.create("text");
    circle.setAttribute("cx", at.x);
    circle.setAttribute("cy", at.y);
    label.setAttribute("x", at.x);
    label.setAttribute("y", at.y);
    label.setAttribute("text-anchor", "middle");
    label.setAttribute("dominant-baseline", "central");
    label.setAttribute("class", "site-cluster-count");
    label.setAttribute("pointer-events", "none");
    label.setAttribute("fill", "#ffffff");
    label.setAttribute("font-size", "12");
    label.setAttribute("font-weight", "700");
    label.setAttribute("stroke", "rgba(0, 0, 0, 0.5)");
    label.setAttribute("stroke-width", "2");
    label.setAttribute("paint-order", "stroke");
    self.graphics = L.SVG.create("g");
    self.graphics.appendChild(circle);
    self.graphics.appendChild(label);
    self.setStyle = function (style) {
      style = L.extend({}, options, style);
      VectorTileLayer.applyBasicStyle(self.graphics, style);
      VectorTileLayer.applyPathStyle(circle, L.extend({}, L.CircleMarker.prototype.options, style));
      circle.setAttribute("r", style.radius);
      label.textContent = formatNumber(style.count, self.lang);
    };
    self.lang = options.lang;
    self.applyOptions(options);
    return self;
  }

  function openPopup(map, config, latlng, id) {
    var popup = L.popup({ maxWidth: 340 }).setLatLng(latlng).setContent(el("span", null, config.labels.loading))
      .openOn(map);
    fetch(config.site + encodeURIComponent(id), { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      }).then(function (feature) {
        popup.setContent(popupContent(feature.properties, config));
      }).catch(function () {
        popup.setContent(el("span", null, config.labels.load_failed));
      });
  }

  function load(map, config, switches) {
    var hidden = {};
    map.createPane("sites").style.zIndex = 450;  // above the district outlines, below popups
    var style = styleOf(config, hidden);
    var sites = VectorTileLayer(config.tiles, {
      pane: "sites", maxDetailZoom: config.maxZoom, maxZoom: 19, style: style,
      featureToLayer: function (feature, layerName, pxPerExtent, options) {
        if (layerName === "clusters") {
          return clusterLayer(feature, layerName, pxPerExtent, L.extend({ lang: config.labels.lang }, options));
        }
        return VectorTileLayer.defaultFeatureLayer(feature, layerName, pxPerExtent, options);
      }
    });
    sites.on("click", function (event) {
      var layer = event.layer, p = layer && layer.properties;
      if (!p) return;
      if (layer.layerName === "clusters") {
        map.setView(event.latlng, Math.min(map.getZoom() + 2, config.maxZoom));
      } else {
        openPopup(map, config, event.latlng, p.id);
      }
    });
    // A cluster near a tile's edge is drawn whole, not cut by its tile.
    sites.on("tileload", function (event) { event.tile.setAttribute("overflow", "visible"); });
    sites.addTo(map);
    window.scpSiteLayer = sites;
    Object.keys(switches).forEach(function (code) {
      switches[code].on("add", function () { delete hidden[code]; sites.setStyle(style); });
      switches[code].on("remove", function () { hidden[code] = true; sites.setStyle(style); });
    });
    // The count is one SQL count of the server, not a count of what is drawn.
    showCount(config.labels.loading);
    fetch(config.count, { headers: { Accept: "application/geo+json" } }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (body) {
      showCount(config.labels.count.replace("%(count)s", formatNumber(body.numberMatched, config.labels.lang)));
      document.body.setAttribute("data-sites-loaded", String(body.numberMatched));
    }).catch(function () {
      showCount(config.labels.load_failed);
      document.body.setAttribute("data-sites-loaded", "error");
    });
    return sites;
  }

  window.ScpSites = { load: load, popupContent: popupContent };
})();
