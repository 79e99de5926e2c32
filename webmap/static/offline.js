/* The staff's pages without a connection (webmap/offline.py): registers the service worker that keeps the site
   form, shows the sites kept on this device ("Đang chờ gửi: N") and sends them, in order, when the connection
   returns (the online event, and each page load), each with a fresh CSRF token. A site the server refuses is
   kept and shown with what to do; nothing is dropped but by the person. Sign-out clears everything kept.
   Without JavaScript the pages work as before, online only. */
(function () {
  "use strict";
  var settings = null, sending = false, signedOut = false, sentNow = 0, kept = 0;

  function say(key, values) {
    var text = settings.text[key] || "";
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", values[name]); });
    return text;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;  // typed names reach the page as text, never as HTML
    return node;
  }

  // A time as the pages write it (webmap/labels.moment): dd/mm/yyyy HH:MM on the province's clock.
  function moment(iso) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: settings.time_zone, day: "2-digit", month: "2-digit",
                                       year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date(iso)).forEach(function (part) { parts[part.type] = part.value; });
    return parts.day + "/" + parts.month + "/" + parts.year + " " + parts.hour + ":" + parts.minute;
  }

  function mine(item) { return item.user === settings.user; }

  function advice(item) {
    if (item.state === "opened") return say("opened");
    return say(settings.advice[String(item.status)] || "other", { status: item.status });
  }

  function render(items) {
    var box = document.getElementById("offline-queue");
    var waiting = items.filter(function (item) { return item.state === "waiting"; });
    var refused = items.filter(function (item) { return item.state !== "waiting"; });
    box.textContent = "";
    kept = items.length;
    box.dataset.waiting = String(waiting.length);
    box.dataset.refused = String(refused.length);
    if (sentNow) box.appendChild(element("p", "offline-sent", say("sent", { n: sentNow })));
    if (waiting.length) {
      box.appendChild(element("p", "offline-count", say("waiting", { n: waiting.length })));
      box.appendChild(element("p", "notice-small", say("waiting_note")));
    }
    if (refused.length) box.appendChild(element("p", "offline-count field-error", say("refused", { n: refused.length })));
    if (signedOut && waiting.length) {
      var note = element("p", "field-error", say("signed_out") + " ");
      var link = element("a", "", say("sign_in"));
      link.href = settings.login + "?next=" + encodeURIComponent(location.pathname);
      note.appendChild(link);
      box.appendChild(note);
    }
    var list = element("ul", "offline-items");
    items.forEach(function (item) { list.appendChild(row(item)); });
    if (items.length) box.appendChild(list);
    box.hidden = !(items.length || sentNow);
  }

  function row(item) {
    var li = element("li", "offline-item " + item.state);
    li.dataset.id = String(item.id);
    li.appendChild(element("strong", "", item.title || "—"));
    li.appendChild(element("span", "notice-small", " · " + say("saved_at") + " " + moment(item.savedAt)));
    if (!mine(item)) li.appendChild(element("p", "notice-small", say("other_account")));
    if (item.state === "waiting" || !mine(item)) return li;
    li.appendChild(element("p", "field-error offline-advice", advice(item)));
    var open = element("button", "offline-open", say("open"));
    open.type = "button";
    open.addEventListener("click", function () { openForm(item); });
    var discard = element("button", "offline-discard link", say("discard"));
    discard.type = "button";
    discard.addEventListener("click", function () {
      if (confirm(say("discard_ask"))) ScpQueue.remove(item.id).then(refresh);
    });
    li.appendChild(open);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(discard);
    return li;
  }

  function refresh() { return ScpQueue.all().then(render); }

  // A fresh token and the account signed in now; null when nobody is; an error when the server cannot be reached.
  function freshToken() {
    return fetch(settings.token, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.status === 401) return null;
      if (!response.ok) throw new Error("token: " + response.status);
      return response.json();
    });
  }

  function body(item, token) {
    var form = new FormData();
    item.fields.forEach(function (field) {
      form.append(field[0], field[0] === "csrf_token" ? token : field[1]);  // a File keeps its name
    });
    return form;
  }

  function sendWaiting() {
    if (sending || !navigator.onLine) return;
    // One sender at a time among the person's tabs: two would send a site twice.
    if (navigator.locks) {
      navigator.locks.request("scp-offline-send", { ifAvailable: true }, function (lock) {
        return lock ? sendEach() : null;
      });
    } else {
      sendEach();
    }
  }

  async function sendEach() {
    sending = true;
    try {
      var items = (await ScpQueue.all()).filter(function (item) { return item.state === "waiting"; });
      for (var i = 0; i < items.length; i++) {
        var item = items[i], answer, response;
        try { answer = await freshToken(); } catch (error) { return; }  // still no connection: next time
        signedOut = !answer;
        if (signedOut) return;
        if (item.user !== answer.user) continue;  // another account's: sent when that account signs in
        try {
          response = await fetch(item.action, { method: "POST", body: body(item, answer.csrf_token),
                                                credentials: "same-origin" });
        } catch (error) { return; }
        var landed = new URL(response.url).pathname;
        if (response.ok && response.redirected && landed === settings.home) {
          await ScpQueue.remove(item.id);  // saved: the form's answer is the staff list
          sentNow += 1;
        } else if (landed === settings.login) {
          signedOut = true;
          return;
        } else if (response.status >= 500 || response.status === 429) {
          return;  // the server's trouble, not the site's: sent again later, still in order
        } else {
          item.state = "refused";
          item.status = response.status;
          await ScpQueue.put(item);
        }
      }
    } finally {
      sending = false;
      await refresh();
    }
  }

  // The kept fields posted as the form itself: the server shows its own page (the conflict of two versions, the
  // boxes to correct) with the person's values, and the item stays kept until the person drops it.
  async function openForm(item) {
    var answer;
    try { answer = await freshToken(); } catch (error) { answer = undefined; }
    if (answer === null) { location.href = settings.login + "?next=" + encodeURIComponent(location.pathname); return; }
    if (!answer) return;
    var form = element("form");
    form.method = "post";
    form.action = item.action;
    form.enctype = "multipart/form-data";
    form.hidden = true;
    item.fields.forEach(function (field) {
      var input = element("input");
      input.name = field[0];
      if (field[1] instanceof Blob) {
        if (!field[1].size) return;
        var files = new DataTransfer();
        files.items.add(field[1]);
        input.type = "file";
        input.files = files.files;
      } else {
        input.type = "hidden";
        input.value = field[0] === "csrf_token" ? answer.csrf_token : field[1];
      }
      form.appendChild(input);
    });
    item.state = "opened";
    await ScpQueue.put(item);
    document.body.appendChild(form);
    form.submit();
  }

  // Sign-out takes what this device kept: the waiting sites (asked first), the pages, the worker. The sign-out's
  // answer clears them (Clear-Site-Data, webmap/auth.py); the page begins it too, for browsers without that header,
  // and never holds the sign-out back.
  function clearOnSignOut() {
    var form = document.querySelector('form[action="' + settings.logout + '"]');
    if (!form) return;
    form.addEventListener("submit", function (event) {
      if (kept && !confirm(say("sign_out_drops", { n: kept }))) {
        event.preventDefault();
        return;
      }
      if (navigator.serviceWorker) navigator.serviceWorker.getRegistrations().then(function (workers) {
        workers.forEach(function (worker) { worker.unregister(); });
      });
      if (window.caches) caches.keys().then(function (names) { names.forEach(function (name) { caches.delete(name); }); });
      ScpQueue.clear();
    });
  }

  function start() {
    var node = document.getElementById("offline-settings");
    if (!node || !window.indexedDB) return;
    settings = JSON.parse(node.textContent);
    // A page shown from the worker's copy carries the messages of the time it was kept: not news now.
    if (!navigator.onLine) document.querySelectorAll(".flashes").forEach(function (list) { list.hidden = true; });
    if (navigator.serviceWorker) navigator.serviceWorker.register(settings.worker, { scope: settings.scope });
    clearOnSignOut();
    window.addEventListener("online", sendWaiting);
    refresh().then(sendWaiting);
  }
  document.addEventListener("DOMContentLoaded", start);
})();
