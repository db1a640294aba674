// Otklik survey widget: <script src="https://OTKLIK/static/otklik-widget.js" data-survey="SLUG"
// [data-lang="kk"] [data-label="…"] async></script>. Adds a button that opens the survey in a
// frame over the page; the form inside is Otklik's own page, served from Otklik's origin.
// The button shows only once Otklik says the survey is open; a closed or unknown survey, or
// any failure to ask, leaves the page without it.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.getAttribute("data-survey")) { return; }
  var origin = new URL(script.src, document.baseURI).origin;
  var slug = script.getAttribute("data-survey");
  var lang = script.getAttribute("data-lang") || (navigator.language || "ru").slice(0, 2);
  var words = { ru: "Оставить отзыв", kk: "Пікір қалдыру", en: "Give feedback" };
  var closeWords = { ru: "Закрыть", kk: "Жабу", en: "Close" };
  var label = script.getAttribute("data-label") || words[lang] || words.en;

  var button = document.createElement("button");
  button.type = "button";
  button.className = "otklik-widget-button";
  button.textContent = label;
  button.setAttribute("style", "position:fixed;right:16px;bottom:16px;z-index:2147483000;" +
    "padding:12px 18px;border:0;border-radius:24px;background:#1d4ed8;color:#fff;" +
    "font:600 15px system-ui,sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.25);cursor:pointer");

  var overlay = null;
  function close() {
    if (overlay) { overlay.remove(); overlay = null; button.focus(); }
  }
  function open() {
    if (overlay) { return; }
    overlay = document.createElement("div");
    overlay.className = "otklik-widget-overlay";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-label", label);
    overlay.setAttribute("style", "position:fixed;inset:0;z-index:2147483001;background:rgba(15,23,42,.5);" +
      "display:flex;align-items:center;justify-content:center");
    var box = document.createElement("div");
    box.setAttribute("style", "position:relative;width:min(560px,100vw);height:min(720px,100vh);" +
      "background:#fff;border-radius:12px;overflow:hidden");
    var frame = document.createElement("iframe");
    frame.className = "otklik-widget-frame";
    frame.title = label;
    frame.src = origin + "/s/" + encodeURIComponent(slug) + "?embed=1&lang=" + encodeURIComponent(lang);
    frame.setAttribute("style", "border:0;width:100%;height:100%");
    var shut = document.createElement("button");
    shut.type = "button";
    shut.textContent = "×";
    shut.setAttribute("aria-label", closeWords[lang] || closeWords.en);
    shut.setAttribute("style", "position:absolute;top:4px;right:8px;border:0;background:none;" +
      "font:28px/1 system-ui,sans-serif;cursor:pointer;color:#334155");
    shut.addEventListener("click", close);
    box.appendChild(frame);
    box.appendChild(shut);
    overlay.appendChild(box);
    overlay.addEventListener("click", function (event) { if (event.target === overlay) { close(); } });
    document.addEventListener("keydown", function (event) { if (event.key === "Escape") { close(); } });
    document.body.appendChild(overlay);
    shut.focus();
  }
  button.addEventListener("click", open);
  function mount() { document.body.appendChild(button); }
  function mountWhenReady() {
    if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
  }
  if (typeof fetch !== "function") { return; }
  var state = origin + "/s/" + encodeURIComponent(slug) + "/state";
  fetch(state, { cache: "no-store", credentials: "omit" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (answer) { if (answer && answer.open === true) { mountWhenReady(); } })
    .catch(function () { /* no answer: no button */ });
})();
