// Live preview of what a brand or tag query matches; results are inserted as text, never HTML.
(function () {
  "use strict";
  var list = document.getElementById("preview-list");
  var shown = document.getElementById("preview-query");
  if (!list) { return; }
  var timer = null;

  function render(query, items) {
    shown.textContent = query;
    list.replaceChildren();
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/mentions/" + encodeURIComponent(item.id);
      link.textContent = item.published_at;
      li.appendChild(link);
      li.appendChild(document.createTextNode(" " + item.text));
      list.appendChild(li);
    });
  }

  function lookup(query) {
    fetch("/preview?q=" + encodeURIComponent(query), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (body) { render(query, body.items); });
  }

  document.querySelectorAll(".query-input").forEach(function (input) {
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(function () { lookup(input.value); }, 300);
    }
    input.addEventListener("input", schedule);
    input.addEventListener("focus", schedule);
  });
}());
