// Draws the overview charts from the page's JSON and sends chart clicks to the filtered feed.
// Words, month names and number separators come from the page's language (plotly-locale-*.js).
(function () {
  "use strict";
  var dataNode = document.getElementById("overview-data");
  if (!dataNode || typeof Plotly === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var labels = JSON.parse(document.getElementById("overview-labels").textContent);
  var words = labels.sentiment;
  var colours = { positive: "#16a34a", neutral: "#9ca3af", negative: "#dc2626", none: "#d1d5db" };
  var dayFormat = labels.locale === "en" ? "%b %-d" : "%-d %b";
  var layout = { margin: { l: 48, r: 12, t: 10, b: 56 }, height: 300, showlegend: true,
                 legend: { orientation: "h", y: -0.22 }, dragmode: false,
                 separators: labels.decimal + labels.group,
                 xaxis: { automargin: true }, yaxis: { automargin: true } };
  var config = { displayModeBar: false, responsive: true, locale: labels.locale };

  // Counts are whole numbers: small ones get a tick per unit, never "0,8".
  function countAxis(traces, horizontal) {
    var most = 0;
    traces.forEach(function (t) {
      (horizontal ? t.x : t.y || []).forEach(function (v) { most = Math.max(most, v || 0); });
    });
    var axis = { automargin: true, rangemode: "tozero", tickformat: ",d" };
    if (most <= 6) { axis.dtick = 1; }
    return axis;
  }

  function draw(id, traces, extra) {
    var node = document.getElementById(id);
    if (!node) { return; }
    extra = extra || {};
    var horizontal = traces.length > 0 && traces[0].orientation === "h";
    if (traces.length && traces[0].type === "bar") {
      var key = horizontal ? "xaxis" : "yaxis";
      extra[key] = Object.assign(countAxis(traces, horizontal), extra[key] || {});
    }
    Plotly.newPlot(node, traces, Object.assign({}, layout, extra), config);
    node.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      var url = point && point.customdata;
      if (Array.isArray(url)) { url = url[0]; }
      // Only links into our own feed are followed.
      if (typeof url === "string" && url.indexOf("/mentions?") === 0) { window.location.assign(url); }
    });
  }

  draw("chart-volume", data.volume.map(function (s) {
    var name = words[s.sentiment] || s.sentiment;
    return { type: "bar", name: name, x: data.days, y: s.counts,
             customdata: s.urls, marker: { color: colours[s.sentiment] },
             hovertemplate: "%{x|%-d %B %Y}<br>" + name + ": %{y:,}<extra></extra>" };
  }), { barmode: "stack",
        xaxis: { type: "date", tickformat: dayFormat, automargin: true,
                 tickformatstops: [{ dtickrange: ["M1", null], value: "%b %Y" }] },
        margin: { l: 48, r: 12, t: 10, b: 70 } });

  function bars(id, rows, horizontal, axisTitle) {
    var names = rows.map(function (r) { return r.label || r.name; });
    var counts = rows.map(function (r) { return r.count; });
    var trace = { type: "bar", customdata: rows.map(function (r) { return r.url; }),
                  marker: { color: "#2563eb" },
                  hovertemplate: (horizontal ? "%{y}" : "%{x}") + ": %{" + (horizontal ? "x" : "y") +
                    ":,} " + labels.mentions.toLowerCase() + "<extra></extra>" };
    if (horizontal) { trace.y = names; trace.x = counts; trace.orientation = "h"; }
    else { trace.x = names; trace.y = counts; }
    var extra = { showlegend: false };
    if (axisTitle) { extra.xaxis = { title: { text: axisTitle }, type: "category", automargin: true }; }
    draw(id, [trace], extra);
  }
  bars("chart-channels", data.channels, false);
  function tagTable(rows) {
    var table = document.getElementById("top-tags");
    var number = new Intl.NumberFormat(labels.locale === "kk" ? "kk-KZ" : labels.locale);
    table.replaceChildren();
    document.getElementById("top-tags-empty").hidden = rows.length > 0;
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var name = document.createElement("td");
      var link = document.createElement("a");
      if (row.url.indexOf("/mentions?") === 0) { link.href = row.url; }
      link.textContent = row.name;
      name.appendChild(link);
      var count = document.createElement("td");
      count.textContent = number.format(row.count);
      var change = document.createElement("td");
      change.className = row.delta > 0 ? "up" : "down";
      if (row.previous === 0) { change.textContent = labels["new"]; }
      else if (row.change === null) { change.textContent = (row.delta > 0 ? "+" : "") + number.format(row.delta); }
      else { change.textContent = (row.change > 0 ? "+" : "") + number.format(row.change) + "%"; }
      tr.append(name, count, change);
      table.appendChild(tr);
    });
  }
  tagTable(data.tags || []);
  bars("chart-ratings", data.ratings || [], false, labels.rating);

  draw("chart-languages", [{ type: "pie", labels: data.languages.map(function (r) { return r.label || r.name; }),
    values: data.languages.map(function (r) { return r.count; }),
    customdata: data.languages.map(function (r) { return r.url; }), hole: 0.4,
    hovertemplate: "%{label}: %{value:,} (%{percent})<extra></extra>" }]);

  var brands = data.brands;
  var moods = ["negative", "neutral", "positive"];
  if (brands.some(function (b) { return b.sentiment.none > 0; })) { moods.push("none"); }
  draw("chart-sov", moods.map(function (s) {
    return { type: "bar", name: words[s], orientation: "h",
             y: brands.map(function (b) { return b.name + (b.own ? " ★" : ""); }),
             x: brands.map(function (b) { return b.sentiment[s]; }),
             customdata: brands.map(function (b) { return b.urls[s]; }),
             marker: { color: colours[s] },
             hovertemplate: "%{y}<br>" + words[s] + ": %{x:,}<extra></extra>" };
  }), { barmode: "stack", margin: { l: 120, r: 12, t: 10, b: 56 } });
}());
