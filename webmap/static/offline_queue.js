/* The sites kept on this device until they can be sent, in IndexedDB: written by the staff's service worker
   (webmap/templates/offline/staff_sw.js) when a site form cannot reach the server, read and sent by the pages
   (static/offline.js). Items come back in the order they were kept (their key counts up). */
(function (scope) {
  "use strict";
  var DATABASE = "scp-offline", STORE = "sites";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // One transaction: work(store) makes a request, whose result is given once the transaction is done.
  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(request.result); };
        transaction.onerror = transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  scope.ScpQueue = {
    add: function (item) { return run("readwrite", function (store) { return store.add(item); }); },
    all: function () { return run("readonly", function (store) { return store.getAll(); }); },
    put: function (item) { return run("readwrite", function (store) { return store.put(item); }); },
    remove: function (id) { return run("readwrite", function (store) { return store.delete(id); }); },
    // Sign-out: the whole database goes (a connection left open elsewhere only delays it).
    clear: function () {
      return new Promise(function (resolve) {
        var request = scope.indexedDB.deleteDatabase(DATABASE);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      });
    }
  };
})(self);
