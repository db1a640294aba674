// Draws a report's charts (bar, stacked, line, hbar, heatmap) from the JSON each chart node
// carries; words and number separators come from the page's language (plotly-locale-*.js).
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
  var colours = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2"];
  var sentiment = ["#dc2626", "#9ca3af", "#16a34a"];
  var nodes = document.querySelectorAll("[data-chart]");
  Array.prototype.forEach.call(nodes, function (node) {
    var chart = JSON.parse(node.getAttribute("data-chart"));
    var locale = node.getAttribute("data-locale") || "en";
    var separators = node.getAttribute("data-separators") || ".,";
    var percent = chart.is_percent ? ".1%" : ",";
    var traces;
    if (chart.kind === "heatmap") {
      var counts = chart.counts.map(function (row) {
        return row.map(function (n) { return n ? String(n) : ""; });
      });
      traces = [{ type: "heatmap", x: chart.x, y: chart.y, z: chart.z, colorscale: "Blues",
                  reversescale: true, text: counts, texttemplate: "%{text}", hoverongaps: false,
                  colorbar: { tickformat: ".1%" },
                  hovertemplate: "%{y} %{x}: %{z:.1%} (%{text})<extra></extra>" }];
    } else if (chart.kind === "hbar") {
      traces = [{ type: "bar", orientation: "h", y: chart.x.slice().reverse(),
                  x: chart.series[0][1].slice().reverse(), marker: { color: colours[0] },
                  name: chart.series[0][0] }];
    } else {
      traces = chart.series.map(function (s, i) {
        var colour = chart.kind === "stacked" && chart.series.length === 3 ? sentiment[i] : colours[i % 5];
        return { type: chart.kind === "line" ? "scatter" : "bar", name: s[0], x: chart.x, y: s[1],
                 marker: { color: colour } };
      });
    }
    var layout = { margin: { l: 56, r: 12, t: 10, b: 60 }, height: 300, dragmode: false,
                   barmode: chart.kind === "stacked" ? "stack" : "group", separators: separators,
                   legend: { orientation: "h", y: -0.25 },
                   yaxis: { automargin: true, tickformat: chart.kind === "heatmap" ? "" : percent },
                   xaxis: { automargin: true, type: "category" } };
    if (chart.kind === "hbar") { layout.xaxis = { automargin: true }; layout.yaxis = { automargin: true }; }
    if (chart.kind === "heatmap") { layout.yaxis.autorange = "reversed"; }
    Plotly.newPlot(node, traces, layout, { displayModeBar: false, responsive: true, locale: locale });
  });
})();
