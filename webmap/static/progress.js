/* /progress: a year slider that plays the plan's years, redrawing the map, legend, tables and sector chart from
   /progress.json without reloading, and keeping the year in the URL. On the map itself: the figure's name and
   legend, and a tapped or clicked unit's name, value and target in a popup. Every text is written as a text node. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("progress-config").textContent);
  // The map is built after the page's first paint (webmap/mapbuild.py): these are set when it says it is ready.
  var map = null, layer = null, lastUnits = config.units || null, key = null, keyState = config.key || null;
  var range = document.getElementById("year-range");
  var select = document.getElementById("year-select");
  var playButton = document.getElementById("year-play");
  var shown = document.getElementById("year-shown");
  var timer = null;
  var asked = 0;

  function text(id, value) {
    var element = document.getElementById(id);
    if (element) element.textContent = value;
  }

  function fitMap() {
    // The whole province, Phú Quốc and Thổ Châu to the eastern districts, whatever the screen.
    if (!map || !layer) return;
    var badge = document.getElementById("map-year");
    if (badge) map.getContainer().appendChild(badge);  // so that it stays in view at full screen
    if (!config.fit) return;
    map.options.zoomSnap = 0.25;
    map.invalidateSize(false);
    // The legend on the map stands over its bottom right corner, where the mainland's south reaches.
    var keyHeight = key ? map.getContainer().getBoundingClientRect().bottom - key.getContainer().getBoundingClientRect().top : 0;
    map.fitBounds(layer.getBounds(), {paddingTopLeft: [6, 6], paddingBottomRight: [6, 6 + keyHeight], animate: false});
  }

  function drawMap(units) {
    lastUnits = units;
    if (!layer) return;
    var byCode = {};
    units.forEach(function (unit) { byCode[unit.code] = unit; });
    layer.eachLayer(function (shape) {
      var properties = shape.feature.properties;
      var unit = byCode[properties.code];
      if (!unit) return;
      properties.value_text = unit.value_text;
      properties.status_text = unit.status_text;
      properties.link = unit.link;
      shape.setStyle({fillColor: unit.colour});
    });
  }

  function unitOf(code) {
    var found = null;
    (lastUnits || []).forEach(function (unit) { if (unit.code === code) found = unit; });
    return found;
  }

  function line(parent, label, value) {
    if (!value) return;
    var p = document.createElement("p");
    var name = document.createElement("span");
    name.className = "unit-popup-label";
    name.textContent = label + ": ";
    var text = document.createElement("strong");
    text.textContent = value;
    p.append(name, text);
    parent.appendChild(p);
  }

  // A unit's box: its name, this year's value with the figure's unit, how far it is from its target, and the link
  // to the sites its figure is made of.
  function unitBox(unit) {
    var box = document.createElement("div");
    box.className = "unit-popup";
    var title = document.createElement("strong");
    title.className = "unit-popup-name";
    title.textContent = unit.name;
    box.appendChild(title);
    var unitWord = keyState && keyState.figure_unit;
    var value = unit.value_text + (unitWord && unit.value_text !== "—" ? " " + unitWord : "");
    line(box, config.words.value + " " + config.year, value);
    line(box, config.words.target, unit.target_text);
    line(box, config.words.status, unit.status_text);
    if (unit.link && unit.link.charAt(0) === "/") {
      var link = document.createElement("a");
      link.href = unit.link;
      link.textContent = config.words.sites;
      box.appendChild(link);
    }
    return box;
  }

  function openUnit(event) {
    var unit = unitOf(event.layer.feature.properties.code);
    if (!unit) return;
    L.popup(window.ScpLayout.popupOptions(map)).setLatLng(event.latlng).setContent(unitBox(unit)).openOn(map);
    layer.closeTooltip();  // the box says all the tooltip says; a finger would leave the tooltip over it
    document.documentElement.dataset.openUnit = unit.code;
  }

  // The figure's name and legend on the map itself, so a phone with the panel closed reads the colours.
  function drawKey() {
    if (!key || !keyState) return;
    var box = key.getContainer();
    box.replaceChildren();
    var name = document.createElement("strong");
    name.className = "map-key-name";
    name.textContent = keyState.figure_name;
    var heading = document.createElement("p");
    heading.className = "map-key-heading";
    heading.textContent = keyState.legend_heading;
    var list = document.createElement("ul");
    list.className = "legend";
    fillLegend(list, keyState.legend);
    box.append(name, heading, list);
  }

  function addKey() {
    var Key = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        var box = L.DomUtil.create("section", "map-key");
        box.setAttribute("aria-label", keyState ? keyState.figure_name : "");
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      }
    });
    key = new Key().addTo(map);
    drawKey();
  }

  function drawLegend(state) {
    text("legend-heading", state.legend_heading);
    var list = document.getElementById("progress-legend");
    if (!list) return;
    fillLegend(list, state.legend);
  }

  // The legend's classes as list items (a colour box and its label), in the panel and in the key on the map.
  function fillLegend(list, legend) {
    list.replaceChildren();
    legend.forEach(function (item) {
      var li = document.createElement("li");
      var box = document.createElement("span");
      box.className = "legend-box";
      box.style.background = item.colour;
      var label = document.createElement("span");
      label.className = "legend-label";
      label.textContent = item.label;
      li.append(box, " ", label);
      list.appendChild(li);
    });
  }

  // Fill each row of a table drawn by the server with the item of the same code in this year's figures.
  function fillRows(items, rows, codeOf, fill) {
    var byCode = {};
    items.forEach(function (item) { byCode[item.code] = item; });
    document.querySelectorAll(rows).forEach(function (row) {
      var item = byCode[codeOf(row)];
      if (item) fill(row, item);
    });
  }

  function drawTable(state) {
    fillRows(state.units, "#progress-table tbody tr", function (row) { return row.dataset.code; },
      function (row, unit) {
        row.querySelector("a").href = unit.link;
        row.querySelector(".num").textContent = unit.value_text;
        var status = row.querySelector(".status");
        if (status) status.textContent = unit.status_text;
      });
    var foot = document.querySelector("#progress-table tfoot");
    foot.querySelector(".num").textContent = state.province.value_text;
    var status = foot.querySelector(".status");
    if (status) status.textContent = state.province.status_text;
  }

  function drawSummary(state) {
    text("summary-heading", state.summary_heading);
    fillRows(state.summary, "#province-summary tbody tr", function (row) { return row.dataset.indicator; },
      function (row, item) {
        row.querySelector("a").href = item.link;
        row.querySelector(".value").textContent = item.value_text;
        var box = row.querySelector(".status-box");
        box.hidden = !item.status_colour;
        box.style.background = item.status_colour || "";
        box.title = item.status_text;
        box.setAttribute("aria-label", item.status_text);
        row.querySelector("polyline").setAttribute("points", item.sparkline);
      });
  }

  function drawChart(state) {
    var chart = document.getElementById("sector-chart");
    if (!chart || !state.chart) return;
    chart.querySelector(".chart-title").textContent = state.title;
    var bars = chart.querySelectorAll(".bars li");
    state.chart.bars.forEach(function (bar, index) {
      var li = bars[index];
      if (!li) return;
      li.querySelector(".bar").style.width = bar.width + "%";
      li.querySelector(".bar-value").textContent = bar.value_text;
      var target = li.querySelector(".bar-target");
      if (target && state.chart.target_left !== null) target.style.left = state.chart.target_left + "%";
    });
    var note = chart.querySelector(".bar-target-text");
    if (note) note.lastChild.textContent = " " + state.chart.target_text;
  }

  function drawLinks(state) {
    var xlsx = document.getElementById("report-xlsx");
    xlsx.href = state.links.report_xlsx;
    xlsx.textContent = state.links.report_xlsx_text;
    document.getElementById("report-page").href = state.links.report_page;
    document.getElementById("csv-link").href = state.links.csv;
  }

  function pageUrl(year) {
    var url = new URL(window.location.href);
    url.searchParams.set("year", String(year));
    url.searchParams.set("level", config.level);  // the units on the map stay those drawn
    url.searchParams.delete("unit");
    url.hash = "";
    return url;
  }

  function show(year) {
    range.value = String(year);
    range.setAttribute("aria-valuetext", String(year));
    select.value = String(year);
    shown.textContent = String(year);
    var url = pageUrl(year);
    var data = new URL(config.json, window.location.href);
    data.search = url.search;
    var ticket = ++asked;
    return fetch(data.toString(), {headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (state) {
        if (ticket !== asked) return;  // a later year was asked for meanwhile
        config.year = state.year;
        text("figure-title", state.title);
        text("map-year", String(state.year));
        text("figure-description", state.description);
        if (map) map.closePopup();  // a unit's box told the year before
        drawMap(state.units);
        keyState = {figure_name: state.figure_name, figure_unit: state.figure_unit,
                     legend_heading: state.legend_heading, legend: state.legend};
        drawKey();
        drawLegend(state);
        drawTable(state);
        drawSummary(state);
        drawChart(state);
        drawLinks(state);
        var behind = document.getElementById("behind-section");
        if (behind) behind.hidden = true;  // its sites are those of the year the page opened with
        document.documentElement.dataset.year = String(state.year);
        window.history.replaceState(null, "", url.toString());
      })
      .catch(function () {
        if (ticket === asked) text("figure-title", config.words.failed);
        stop();
      });
  }

  function stop() {
    if (timer !== null) window.clearTimeout(timer);
    timer = null;
    playButton.textContent = "▶ " + config.words.play;
    playButton.setAttribute("aria-pressed", "false");
  }

  // The next year is asked for only once the last one is drawn, so a slow answer never piles requests up.
  function step() {
    var next = Number(range.value) + 1;
    if (next > Number(range.max)) { stop(); return; }
    show(next).then(function () { if (timer !== null) timer = window.setTimeout(step, 1200); });
  }

  function play() {
    playButton.textContent = "⏸ " + config.words.pause;
    playButton.setAttribute("aria-pressed", "true");
    if (Number(range.value) >= Number(range.max)) {
      timer = 0;
      show(Number(range.min)).then(function () { if (timer !== null) timer = window.setTimeout(step, 1200); });
    } else {
      timer = window.setTimeout(step, 600);
    }
  }

  document.getElementById("year-player").hidden = false;
  document.querySelectorAll(".year-submit").forEach(function (b) { b.hidden = true; });
  range.addEventListener("input", function () { stop(); show(Number(range.value)); });
  select.addEventListener("change", function () { stop(); show(Number(select.value)); });
  playButton.addEventListener("click", function () { if (timer === null) play(); else stop(); });
  document.documentElement.dataset.year = String(config.year);
  document.addEventListener("scp:map-ready", function () {
    map = window[config.map];
    layer = window[config.layer];
    if (!map || !layer) return;
    if (lastUnits) drawMap(lastUnits);  // a year chosen before the map was ready
    layer.on("click", openUnit);
    addKey();
    fitMap();
  });
})();
