// Plotly's words, month and day names and number format in Kazakh (our own file, no CDN).
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
  Plotly.register({
    moduleType: "locale",
    name: "kk",
    dictionary: {
      "Autoscale": "Автомасштаб",
      "Box Select": "Тіктөртбұрышпен таңдау",
      "Download plot as a png": "PNG ретінде сақтау",
      "Double-click to zoom back out": "Масштабты қайтару үшін екі рет басыңыз",
      "Lasso Select": "Лассомен таңдау",
      "Pan": "Жылжыту",
      "Produced with Plotly.js": "Plotly.js арқылы жасалған",
      "Reset axes": "Осьтерді қалпына келтіру",
      "Reset view": "Көріністі қалпына келтіру",
      "Toggle Spike Lines": "Бағыттаушы сызықтар",
      "Zoom": "Масштаб",
      "Zoom in": "Үлкейту",
      "Zoom out": "Кішірейту",
      "trace": "қатар",
      "new text": "жаңа мәтін"
    },
    format: {
      days: ["жексенбі", "дүйсенбі", "сейсенбі", "сәрсенбі", "бейсенбі", "жұма", "сенбі"],
      shortDays: ["жс", "дс", "сс", "ср", "бс", "жм", "сб"],
      months: ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз",
               "қыркүйек", "қазан", "қараша", "желтоқсан"],
      shortMonths: ["қаң.", "ақп.", "нау.", "сәу.", "мам.", "мау.", "шіл.", "там.", "қыр.",
                    "қаз.", "қар.", "жел."],
      date: "%d.%m.%Y",
      decimal: ",",
      thousands: "\u00a0"
    }
  });
}());
