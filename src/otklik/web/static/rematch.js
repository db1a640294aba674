// Status lines of re-matching stored mentions after a query change, refreshed while a job is
// queued or running; the text comes from the server and is set as text, never HTML.
(function () {
  "use strict";
  var lines = document.querySelectorAll(".rematch[data-kind]");
  if (!lines.length) { return; }
  var kind = lines[0].getAttribute("data-kind");

  function isActive() {
    return Array.prototype.some.call(lines, function (line) {
      var state = line.getAttribute("data-state");
      return state === "queued" || state === "running";
    });
  }

  function show(items) {
    var byId = {};
    items.forEach(function (item) { byId[String(item.id)] = item; });
    lines.forEach(function (line) {
      var item = byId[line.getAttribute("data-id")];
      if (item) {
        line.setAttribute("data-state", item.state);
        line.textContent = item.text;
      }
    });
  }

  function poll() {
    fetch("/rematch?kind=" + encodeURIComponent(kind), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (body) {
        show(body.items);
        if (isActive()) { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }

  if (isActive()) { setTimeout(poll, 500); }
}());
