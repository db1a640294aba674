// Plotly's words, month and day names and number format in Russian (our own file, no CDN).
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
  Plotly.register({
    moduleType: "locale",
    name: "ru",
    dictionary: {
      "Autoscale": "Автомасштаб",
      "Box Select": "Выделение прямоугольником",
      "Download plot as a png": "Сохранить как PNG",
      "Double-click to zoom back out": "Двойной щелчок — вернуть масштаб",
      "Lasso Select": "Выделение лассо",
      "Pan": "Сдвиг",
      "Produced with Plotly.js": "Сделано на Plotly.js",
      "Reset axes": "Сбросить оси",
      "Reset view": "Сбросить вид",
      "Toggle Spike Lines": "Линии-ориентиры",
      "Zoom": "Масштаб",
      "Zoom in": "Увеличить",
      "Zoom out": "Уменьшить",
      "trace": "ряд",
      "new text": "новый текст"
    },
    format: {
      days: ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"],
      shortDays: ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
      months: ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
               "сентября", "октября", "ноября", "декабря"],
      shortMonths: ["янв.", "февр.", "мар.", "апр.", "мая", "июн.", "июл.", "авг.", "сент.",
                    "окт.", "нояб.", "дек."],
      date: "%d.%m.%Y",
      decimal: ",",
      thousands: "\u00a0"
    }
  });
}());
