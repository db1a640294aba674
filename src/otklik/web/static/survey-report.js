// The survey report's trend: responses per period as bars, NPS / CSAT / CES as lines.
(function () {
  "use strict";
  var node = document.getElementById("chart-trend");
  var dataNode = document.getElementById("trend-data");
  if (!node || !dataNode || typeof Plotly === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var labels = JSON.parse(document.getElementById("trend-labels").textContent);
  var traces = [{ type: "bar", name: labels.responses, x: data.periods, y: data.responses,
                  marker: { color: "#cbd5e1" } }];
  [["nps", "NPS", "#2563eb"], ["csat", "CSAT %", "#16a34a"], ["ces", "CES", "#f59e0b"]].forEach(function (s) {
    if (data[s[0]].some(function (v) { return v !== null; })) {
      traces.push({ type: "scatter", mode: "lines+markers", name: s[1], x: data.periods, y: data[s[0]],
                    line: { color: s[2] }, marker: { size: 9 }, connectgaps: false, yaxis: "y2" });
    }
  });
  Plotly.newPlot(node, traces, {
    margin: { l: 48, r: 48, t: 10, b: 56 }, height: 300, legend: { orientation: "h", y: -0.25 },
    separators: labels.decimal + labels.group, dragmode: false,
    xaxis: { type: "category", automargin: true },
    yaxis: { automargin: true, rangemode: "tozero", tickformat: ",d", title: { text: labels.responses } },
    yaxis2: { overlaying: "y", side: "right", automargin: true, showgrid: false, tickformat: ",.1~f" }
  }, { displayModeBar: false, responsive: true, locale: labels.locale });
})();
