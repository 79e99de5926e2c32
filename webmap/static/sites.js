/* Draws the approved sites from the vector tiles of /tiles/sites (points, or clusters where they crowd),
   fetches a site's details from /api/sites/<id> when its point is clicked (the popup's content: static/site_popup.js)
   and the count from one SQL count. */
(function () {
  "use strict";

  var el = window.ScpSitePopup.el, popupContent = window.ScpSitePopup.content,
    countText = window.ScpSitePopup.countText, formatNumber = window.ScpSitePopup.formatNumber;

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
                 radius: clusterRadius(mix.count), fillOpacity: 0.85,
                 fillColor: category ? category.colour : "#607d8b", color: "#ffffff", weight: 2 };
      }
      return { interactive: true, className: "site-point", hidden: !!hidden[p.category], radius: TOUCH ? 12 : 7,
               fillOpacity: 0.95, fillColor: p.colour, color: "#ffffff", weight: 2 };
    };
  }

  // On a touch screen a site's dot is 24 px across and a finger hits it anywhere within 44 px (WCAG 2.5.5).
  var TOUCH = window.matchMedia("(pointer: coarse)").matches;
  var HIT_RADIUS = TOUCH ? 22 : 8;  // with a mouse, the dot itself (its radius and stroke)

  function clusterRadius(count) {
    return Math.min(12 + 5 * Math.log10(Math.max(count, 1)), 30);
  }

  // Clusters are counted per cell of a tile, placed at their sites' centre: two cells' clusters can fall on each
  // other. The larger of two overlapping circles takes in the smaller's count, so every number stays readable and
  // the numbers shown still add up to the sites drawn.
  function declutter(map, registry, tileZooms) {
    // Only the tiles of the zoom shown: those of the zoom before may still be on screen for a moment.
    var zoom = Math.round(map.getZoom()), live = [];
    for (var i = registry.length - 1; i >= 0; i--) {
      var c = registry[i], node = c.home ? c.home.parent : c.graphics;
      var tile = node.isConnected ? node.closest(".leaflet-tile") : null;
      if (!node.isConnected) registry.splice(i, 1);
      else if (tile && tileZooms.get(tile) === zoom && !c.own.hidden && c.own.count > 0) live.push(c);
    }
    // In the map's own pixels: a map shown smaller (the print sheet on a phone) is printed at its own size.
    var container = map.getContainer();
    var scale = container.getBoundingClientRect().width / container.offsetWidth || 1;
    live.forEach(function (c) {
      c.show(c.own.count);
      var box = c.circle.getBoundingClientRect();
      c.at = { x: (box.left + box.width / 2) / scale, y: (box.top + box.height / 2) / scale };
      c.total = c.own.count;
    });
    live.sort(function (a, b) { return b.own.count - a.own.count; });
    var kept = [];
    live.forEach(function (c) {
      var into = null;
      for (var k = 0; k < kept.length && !into; k++) {
        var other = kept[k], gap = clusterRadius(other.total) + clusterRadius(c.own.count) + 2;
        if (Math.abs(other.at.x - c.at.x) < gap && Math.abs(other.at.y - c.at.y) < gap) into = other;
      }
      if (into) { into.total += c.own.count; c.merge(); } else kept.push(c);
    });
    kept.forEach(function (c) { if (c.total !== c.own.count) c.show(c.total); });
    document.body.setAttribute("data-clusters-shown", String(kept.length));
  }

  // The view in the address bar (centre, zoom, base map, language), rewritten in place as the map moves, so a
  // copied link opens the same view; the server reads them back (maps.map_options). Links marked
  // data-keeps-view (print, full map) and the language links follow. Returns the writer, for the open site.
  function keepViewInUrl(map, config, switches) {
    var view = config.labels.view || {}, bounds = view.bounds || [[-90, -180], [90, 180]];
    var baseMaps = config.labels.base_maps || {};
    function clamp(value, low, high) { return Math.min(Math.max(value, low), high); }
    function withView(href, state) {
      var url = new URL(href, window.location.href);
      Object.keys(state).forEach(function (key) {
        if (state[key] === null) url.searchParams.delete(key); else url.searchParams.set(key, state[key]);
      });
      return url;
    }
    function write(extra) {
      var centre = map.getCenter(), state = {
        lat: clamp(centre.lat, bounds[0][0], bounds[1][0]).toFixed(5),
        lon: clamp(centre.lng, bounds[0][1], bounds[1][1]).toFixed(5),
        zoom: String(clamp(Math.round(map.getZoom()), view.minZoom || 0, view.maxZoom || 19))
      };
      L.extend(state, extra || {});
      var url = withView(window.location.href, state);
      if (!url.searchParams.get("lang")) url.searchParams.set("lang", config.labels.lang);
      if (url.searchParams.get("basemap")) state.basemap = url.searchParams.get("basemap");
      window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
      document.querySelectorAll("a[data-keeps-view], a[hreflang]").forEach(function (a) {
        var link = withView(a.getAttribute("href"), state);
        link.searchParams.set("lang", a.getAttribute("hreflang") || config.labels.lang);
        a.setAttribute("href", /^https?:/.test(a.getAttribute("href")) ? link.href : link.pathname + link.search);
      });
    }
    map.on("moveend", function () { write(); });
    // A category switched off in the layer box is a filter too: the link carries the categories left on, within
    // the page's own category filter (all off is not a filter the server knows: the link then stays as it was).
    var loaded = new URL(window.location.href).searchParams.get("category") || "";
    var offered = loaded ? loaded.split(",") : Object.keys(switches);
    function writeCategories() {
      var on = offered.filter(function (code) { return switches[code] && map.hasLayer(switches[code]); });
      if (!on.length) return;
      var value = on.length === offered.length ? loaded : on.join(",");
      write({ category: value || null });
      document.querySelectorAll("#filters input[name=category]").forEach(function (box) {
        box.checked = !!value && on.indexOf(box.value) >= 0;
      });
    }
    map.on("overlayadd overlayremove", function (event) {
      if (Object.keys(switches).some(function (code) { return switches[code] === event.layer; })) writeCategories();
    });
    map.on("baselayerchange", function (event) {
      var probe = document.createElement("span");
      Object.keys(baseMaps).forEach(function (key) {
        probe.textContent = baseMaps[key];
        if (event.name === baseMaps[key] || event.name === probe.innerHTML) write({ basemap: key });
      });
    });
    // A filter sent from the panel keeps the view, unless the district changed: then the map fits the district.
    var form = document.getElementById("filters");
    if (form) {
      var district = form.querySelector("select[name=district]"), before = district ? district.value : "";
      form.addEventListener("submit", function () {
        var now = new URL(window.location.href);
        ["lat", "lon", "zoom", "basemap"].forEach(function (key) {
          var old = form.querySelector("input[type=hidden][name=" + key + "]");
          if (old) old.remove();
          var value = now.searchParams.get(key);
          if (!value || (key !== "basemap" && district && district.value !== before)) return;
          var input = document.createElement("input");
          input.type = "hidden"; input.name = key; input.value = value;
          form.appendChild(input);
        });
      });
    }
    return write;
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
      self.own = { count: style.count, hidden: !!style.hidden };
      self.show(style.count);
    };
    // Shows the cluster with count sites (its own, or more once it has taken in its crowded neighbours).
    self.show = function (count) {
      circle.setAttribute("r", clusterRadius(count));
      label.textContent = formatNumber(count, self.lang);
      if (self.home) { self.home.parent.insertBefore(self.graphics, self.home.next); self.home = null; }
    };
    // Taken into a neighbour: out of the page (not merely hidden), put back where it was when shown again.
    self.merge = function () {
      self.home = { parent: self.graphics.parentNode, next: self.graphics.nextSibling };
      self.graphics.remove();
    };
    self.circle = circle;
    self.lang = options.lang;
    options.registry.push(self);
    self.applyOptions(options);
    return self;
  }

  // A site: its dot, over a transparent circle as large as a fingertip that takes the taps and clicks.
  function pointLayer(feature, layerName, pxPerExtent, options) {
    var self = VectorTileLayer.featureLayerBase(feature, layerName, pxPerExtent, options);
    var at = self.scalePoint(feature.loadGeometry()[0][0]);
    var hit = L.SVG.create("circle"), dot = L.SVG.create("circle");
    [hit, dot].forEach(function (circle) {
      circle.setAttribute("cx", at.x);
      circle.setAttribute("cy", at.y);
    });
    hit.setAttribute("r", HIT_RADIUS);
    hit.setAttribute("fill", "transparent");
    hit.setAttribute("pointer-events", "visible");  // a hidden category's dot takes no tap
    hit.setAttribute("class", "site-hit");
    dot.setAttribute("class", "site-dot");
    self.graphics = L.SVG.create("g");
    self.graphics.appendChild(hit);
    self.graphics.appendChild(dot);
    self.setStyle = function (style) {
      style = L.extend({}, options, style);
      VectorTileLayer.applyBasicStyle(self.graphics, style);
      VectorTileLayer.applyPathStyle(dot, L.extend({}, L.CircleMarker.prototype.options, style));
      dot.setAttribute("r", style.radius);
    };
    self.applyOptions(options);
    return self;
  }

  // The one site a cluster of one stands for: a cluster of one is drawn where its site is, so it is the site of its
  // category within a few pixels of the cluster's middle, under the page's filters (the count's URL carries them);
  // null when that is not exactly one site.
  function siteOfCluster(map, config, cluster, category) {
    var circle = cluster.circle.getBoundingClientRect(), box = map.getContainer().getBoundingClientRect();
    var x = circle.left + circle.width / 2 - box.left, y = circle.top + circle.height / 2 - box.top, near = 6;
    var sw = map.containerPointToLatLng([x - near, y + near]), ne = map.containerPointToLatLng([x + near, y - near]);
    var url = new URL(config.count, window.location.href);
    url.searchParams.set("bbox", [sw.lng, sw.lat, ne.lng, ne.lat].map(function (n) { return n.toFixed(6); }).join(","));
    url.searchParams.set("category", category);
    url.searchParams.set("limit", "2");
    return fetch(url.toString(), { headers: { Accept: "application/geo+json" } }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (body) { return body.features.length === 1 ? body.features[0] : null; });
  }

  function fetchSite(config, id) {
    return fetch(config.site + encodeURIComponent(id), { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      });
  }

  // The link of an open popup: the page's address, which carries ?site=<id> while the popup is open.
  function linkButton(config) {
    var button = el("button", "popup-link", config.labels.copy_link);
    button.type = "button";
    button.addEventListener("click", function () {
      var done = function () { button.textContent = config.labels.link_copied; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(window.location.href).then(done, function () { window.prompt("", window.location.href); });
      } else {
        window.prompt(config.labels.copy_link, window.location.href);
      }
    });
    return button;
  }

  // A site's popup; while it is open the address says ?site=<id>, so a copied link opens it again.
  function openPopup(map, config, latlng, id, keepSite, feature) {
    // Narrower than the map, and panned clear of its controls (static/layout.js).
    var popup = L.popup(window.ScpLayout.popupOptions(map)).setLatLng(latlng)
      .setContent(el("span", null, config.labels.loading)).openOn(map);
    keepSite({ site: String(id) });
    popup.on("remove", function () {
      if (new URL(window.location.href).searchParams.get("site") === String(id)) keepSite({ site: null });
    });
    (feature ? Promise.resolve(feature) : fetchSite(config, id)).then(function (found) {
      var content = popupContent(found.properties, config);
      content.appendChild(linkButton(config));
      popup.setContent(content);
      document.body.setAttribute("data-open-site", String(id));
    }).catch(function () {
      popup.setContent(el("span", null, config.labels.load_failed));
    });
    return popup;
  }

  // /?site=<id> (and /embed?site=<id>): centre on that site and open its popup, or say it is not public.
  function openLinkedSite(map, config, keepSite) {
    var wanted = new URL(window.location.href).searchParams.get("site");
    if (!wanted || !/^[0-9]+$/.test(wanted)) return;
    fetchSite(config, wanted).then(function (feature) {
      var c = feature.geometry.coordinates, latlng = L.latLng(c[1], c[0]);
      map.setView(latlng, Math.max(map.getZoom(), 15), { animate: false });
      openPopup(map, config, latlng, wanted, keepSite, feature);
    }).catch(function () {
      keepSite({ site: null });
      L.popup().setLatLng(map.getCenter()).setContent(el("span", null, config.labels.site_missing)).openOn(map);
    });
  }

  function load(map, config, switches) {
    var hidden = {}, registry = [];
    map.createPane("sites").style.zIndex = 450;  // above the district outlines, below popups
    var style = styleOf(config, hidden);
    var sites = VectorTileLayer(config.tiles, {
      pane: "sites", maxDetailZoom: config.maxZoom, maxZoom: 19, style: style,
      featureToLayer: function (feature, layerName, pxPerExtent, options) {
        if (layerName === "clusters") {
          return clusterLayer(feature, layerName, pxPerExtent,
                              L.extend({ lang: config.labels.lang, registry: registry }, options));
        }
        return pointLayer(feature, layerName, pxPerExtent, options);
      }
    });
    sites.on("click", function (event) {
      var layer = event.layer, p = layer && layer.properties;
      if (!p) return;
      if (layer.layerName === "clusters") {
        var mix = visibleMix(p, config, hidden), zoomIn = function () {
          map.setView(event.latlng, Math.min(map.getZoom() + 2, config.maxZoom));
        };
        // A cluster of one site opens that site at once: no zoom step to reach a single dot.
        if ((layer.total || mix.count) !== 1) { zoomIn(); return; }
        siteOfCluster(map, config, layer, mix.category).then(function (found) {
          if (!found) { zoomIn(); return; }
          var c = found.geometry.coordinates;
          openPopup(map, config, L.latLng(c[1], c[0]), found.properties.id, keepSite);
        }).catch(zoomIn);
      } else {
        openPopup(map, config, event.latlng, p.id, keepSite);
      }
    });
    // A cluster near a tile's edge is drawn whole, not cut by its tile.
    sites.on("tileload", function (event) { event.tile.setAttribute("overflow", "visible"); });
    // The zoom of each tile, from the layer's own events, so that declutter compares the tiles of the zoom shown.
    var tileZooms = new WeakMap();
    sites.on("tileloadstart", function (event) { tileZooms.set(event.tile, event.coords.z); });
    sites.on("load", function () { declutter(map, registry, tileZooms); });
    // New tiles bring clusters not yet compared: the page says so until they are (tests wait on it).
    sites.on("loading", function () { document.body.removeAttribute("data-clusters-shown"); });
    sites.addTo(map);
    window.scpSiteLayer = sites;
    function restyle() { sites.setStyle(style); declutter(map, registry, tileZooms); }
    Object.keys(switches).forEach(function (code) {
      switches[code].on("add", function () { delete hidden[code]; restyle(); });
      switches[code].on("remove", function () { hidden[code] = true; restyle(); });
    });
    var keepSite = keepViewInUrl(map, config, switches);
    openLinkedSite(map, config, keepSite);
    // The search box opens a site it found (static/search.js).
    window.ScpSites.openSite = function (id) {
      fetchSite(config, id).then(function (feature) {
        var c = feature.geometry.coordinates;
        openPopup(map, config, L.latLng(c[1], c[0]), id, keepSite, feature);
      });
    };
    // The count is one SQL count of the server, not a count of what is drawn.
    showCount(config.labels.loading);
    fetch(config.count, { headers: { Accept: "application/geo+json" } }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (body) {
      showCount(countText(config.labels, body.numberMatched));
      document.body.setAttribute("data-sites-loaded", String(body.numberMatched));
    }).catch(function () {
      showCount(config.labels.load_failed);
      document.body.setAttribute("data-sites-loaded", "error");
    });
    return sites;
  }

  window.ScpSites = { load: load, popupContent: popupContent, countText: countText };
})();
