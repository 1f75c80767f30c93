// Overview charts (Chart.js, vendored under /static/vendor/chartjs). Data comes from a data- attribute.
(function () {
  "use strict";
  var holder = document.getElementById("overview-data");
  if (!holder || !window.Chart) { return; }
  var data = JSON.parse(holder.getAttribute("data-charts"));
  var red = "#b42318", blue = "#2f6fb3", green = "#1a7f37";
  Chart.defaults.font.family = '-apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  Chart.defaults.maintainAspectRatio = false;
  window.fangfeiCharts = {};

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { window.fangfeiCharts[id] = new Chart(canvas, config); }
  }
  function pick(rows, field) { return (rows || []).map(function (r) { return r[field]; }); }

  draw("chart-by-day", {
    type: "line",
    data: { labels: pick(data.byDay, "day").map(function (d) { return d.slice(5); }),
      datasets: [{ label: "参与人数", data: pick(data.byDay, "participants"), borderColor: red,
        backgroundColor: "rgba(180,35,24,.15)", fill: true, tension: 0.25 }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  draw("chart-scores", {
    type: "bar",
    data: { labels: pick(data.scores, "label"),
      datasets: [{ label: "答卷数", data: pick(data.scores, "papers"), backgroundColor: blue }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  draw("chart-accuracy", {
    type: "bar",
    data: { labels: pick(data.accuracy, "label"),
      datasets: [{ label: "正确率（%）", data: pick(data.accuracy, "rate"), backgroundColor: green }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, max: 100 } } }
  });
  var narrow = window.matchMedia("(max-width: 760px)").matches;
  draw("chart-by-team", {
    type: "bar",
    data: { labels: pick(data.byTeam, "team"),
      datasets: [{ label: "参与人数", data: pick(data.byTeam, "participants"), backgroundColor: red }] },
    options: { indexAxis: narrow ? "y" : "x", plugins: { legend: { display: false } },
      scales: { x: { ticks: { autoSkip: false, precision: 0 }, beginAtZero: true },
        y: { ticks: { autoSkip: false, precision: 0 }, beginAtZero: true } } }
  });
})();
