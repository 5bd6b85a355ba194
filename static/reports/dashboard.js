// The report dashboard's charts (Chart.js, served from our static files). The figures come from
// the page's JSON (json_script) and are also in the accessible tables beside each chart; without
// this file or Chart.js the tables alone tell everything. No inline script: CSP-friendly.
(function () {
  "use strict";

  var COLOURS = ["#1f5fa8", "#b3541e", "#2e7d32", "#7b1fa2", "#c62828", "#00838f"];

  function data() {
    var element = document.getElementById("report-chart-data");
    return element ? JSON.parse(element.textContent) : null;
  }

  function datasets(series, type) {
    return series.map(function (s, i) {
      return {
        label: s.label, data: s.data, type: s.type || type, spanGaps: true,
        backgroundColor: COLOURS[i % COLOURS.length], borderColor: COLOURS[i % COLOURS.length],
      };
    });
  }

  function draw(canvas, type, chart, options) {
    return new window.Chart(canvas, {
      type: type,
      data: { labels: chart.labels, datasets: datasets(chart.series, type) },
      options: Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, options || {}),
    });
  }

  function setUpTrend(canvas, trend) {
    var controls = document.querySelector("[data-trend-controls]");
    var kpi = document.querySelector("[data-trend-kpi]");
    var months = document.querySelector("[data-trend-months]");
    trend.series.forEach(function (s, i) {
      var option = document.createElement("option");
      option.value = String(i);
      option.textContent = s.label;
      kpi.appendChild(option);
    });
    controls.hidden = false;
    var chart = null;
    function update() {
      var i = Number(kpi.value), n = Number(months.value);
      var labels = trend.labels.slice(-n);
      var series = [{ label: trend.series[i].label, data: trend.series[i].data.slice(-n) }];
      var target = trend.targets[i];
      if (target !== null && target !== undefined) {
        series.push({ label: "Target", data: labels.map(function () { return target; }) });
      }
      if (chart) chart.destroy();
      chart = draw(canvas, "line", { labels: labels, series: series });
    }
    kpi.addEventListener("change", update);
    months.addEventListener("change", update);
    update();
  }

  function start() {
    var figures = data();
    if (!figures || !window.Chart) return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var name = canvas.dataset.chart;
      if (name === "yoy") draw(canvas, "bar", figures.yoy);
      else if (name === "waits") draw(canvas, "bar", figures.waits);
      else if (name === "availability" && figures.availability) {
        draw(canvas, "bar", figures.availability, { indexAxis: "y", scales: { x: { min: 99 } } });
      } else if (name === "trend") setUpTrend(canvas, figures.trend);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
