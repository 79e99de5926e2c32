/* A site's popup: its details, its approved photos and the map's count of sites, in the page's language. Every
   text of a site goes into the page as a text node, never as HTML. Used by static/sites.js. */
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

  // A measure's value as the popup prints it: a year as a year ("2024"), a quantity with its separators and unit.
  function formatMeasure(value, measure, labels) {
    if (typeof value === "boolean") return value ? labels.yes : labels.no;
    if (measure && measure.year) return String(value);
    return formatNumber(value, labels.lang) + (measure && measure.unit ? " " + measure.unit : "");
  }

  // "Showing 1 site" / "Showing 2 sites": the count's wording chosen by the language's plural rules.
  function countText(labels, count) {
    var forms = labels.count_forms || {};
    var form = forms[new Intl.PluralRules(labels.lang).select(count)] || forms.other || labels.count;
    return form.replace("%(count)s", formatNumber(count, labels.lang));
  }

  // Sample names end in "(mẫu)": with the sample badge beside them, the word is shown once.
  function displayName(p, labels) {
    var name = String(p.name || "");
    if (!p.is_sample) return name;
    return name.replace(/\s*\((mẫu|sample)\)\s*$/i, "") || name;
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
    var title = el("strong", "site-name", displayName(p, labels));
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
      row(table, m ? m.label : key, formatMeasure(p.measures[key], m, labels));
    });
    row(table, labels.start_date, formatDate(p.start_date, lang));
    row(table, labels.end_date, formatDate(p.end_date, lang));
    if (p.location_precision && p.location_precision !== "exact") {
      row(table, labels.precision, labels.precisions[p.location_precision] || p.location_precision);
    }
    row(table, labels.source, p.source);
    box.appendChild(table);
    if (p.description) box.appendChild(el("p", "site-description", p.description));
    var photos = photoStrip(p.photos || [], labels);
    if (photos) box.appendChild(photos);
    return box;
  }

  // The site's approved photos (a signed-in editor's answer also lists the pending ones: the map shows what the
  // public sees), each a small thumbnail fetched when the popup shows it, linking to the large image, with its date.
  function photoStrip(photos, labels) {
    var shown = photos.filter(function (photo) { return photo.moderation === "approved"; });
    if (!shown.length) return null;
    var strip = el("div", "popup-photos");
    shown.forEach(function (photo, i) {
      var date = formatDate((photo.taken_at || photo.created_at || "").slice(0, 10), labels.lang);
      var words = (date ? labels.photo : labels.photo_undated).replace("%(n)s", String(i + 1))
        .replace("%(date)s", date);
      var link = el("a");
      link.href = photo.url;
      link.target = "_blank";
      link.rel = "noopener";
      var image = el("img");
      image.src = photo.thumbnail_url;
      image.loading = "lazy";
      image.width = 88;
      image.height = 66;
      image.alt = words;
      link.appendChild(image);
      var figure = el("figure");
      figure.appendChild(link);
      if (date) figure.appendChild(el("figcaption", null, date));
      strip.appendChild(figure);
    });
    return strip;
  }

  window.ScpSitePopup = { el: el, content: popupContent, countText: countText, formatNumber: formatNumber };
})();
