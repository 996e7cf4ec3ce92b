// The dashboard's charts, drawn with Apache ECharts from the figures the page
// carries (#dashboard-data). Each series has its own fill pattern (aria decals)
// as well as its colour, every bar prints its value and the legend names the
// series, so no chart needs colour to be read. A click on a bar opens the
// review queue narrowed to it.
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif';
  var INK = "#1d2430";

  // The value as printed on its bar; a stacked segment of 0 has no bar to print it on.
  function valueLabel(chart) {
    return function (point) {
      var value = point.value;
      if (value === null || value === undefined || (chart.stacked && value === 0)) { return ""; }
      return value + (chart.unit === "%" ? "%" : "");
    };
  }

  function option(chart) {
    var categoryAxis = {
      type: "category",
      data: chart.categories,
      inverse: chart.horizontal,  // the first category on top, as in the table
      axisLabel: { interval: 0, color: INK, width: 150, overflow: "break" },
    };
    var percent = chart.unit === "%";
    var valueAxis = {
      type: "value",
      minInterval: 1,
      max: percent ? 100 : undefined,
      axisLabel: { color: INK, formatter: percent ? "{value}%" : "{value}" },
    };
    return {
      animation: false,
      aria: { enabled: true, decal: { show: true } },
      textStyle: { fontFamily: FONT, fontSize: 13 },
      // Drawn on the canvas: an HTML tooltip carries inline styles, which the pages' CSP refuses.
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      legend: { top: 0, textStyle: { color: INK } },
      grid: { left: 8, right: 40, top: 40, bottom: 8, containLabel: true },
      xAxis: chart.horizontal ? valueAxis : categoryAxis,
      yAxis: chart.horizontal ? categoryAxis : valueAxis,
      series: chart.series.map(function (series) {
        return {
          name: series.name,
          type: "bar",
          stack: chart.stacked ? "all" : undefined,
          data: series.values,
          barMaxWidth: 56,
          label: {
            show: true,
            position: chart.stacked ? "inside" : (chart.horizontal ? "right" : "top"),
            formatter: valueLabel(chart),
            color: INK,
            fontSize: 14,
            fontWeight: "bold",
            // A white plate keeps the number legible over any pattern.
            backgroundColor: "rgba(255, 255, 255, 0.9)",
            padding: [1, 3],
            borderRadius: 2,
          },
        };
      }),
    };
  }

  function draw(chart) {
    var element = document.querySelector('.chart[data-chart="' + chart.key + '"]');
    if (!element) { return; }  // no data: the page says so instead
    var drawn = echarts.init(element, null, { renderer: "canvas", locale: "ZH" });
    drawn.setOption(option(chart));
    drawn.on("click", function (point) {
      var link = chart.series[point.seriesIndex] && chart.series[point.seriesIndex].links[point.dataIndex];
      if (link) { window.location.assign(link); }
    });
    window.addEventListener("resize", function () { drawn.resize(); });
    element.dataset.drawn = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var figures = JSON.parse(document.getElementById("dashboard-data").textContent);
    figures.charts.forEach(draw);
  });
})();
