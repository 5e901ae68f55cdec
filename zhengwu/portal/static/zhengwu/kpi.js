// KPI bar chart: departments on the x axis, one bar per KPI (percent). Data comes from
// the page's json_script element; ECharts is served from /static/vendor, never a CDN.
(function () {
  var holder = document.getElementById("kpi-chart");
  var source = document.getElementById("kpi-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var categories = ["全部事项"].concat(data.departments.map(function (d) { return d.name; }));
  var rows = [data.overall].concat(data.departments.map(function (d) { return d.values; }));
  var series = data.kpis.map(function (label, i) {
    return {
      name: label,
      type: "bar",
      barMaxWidth: 18,
      data: rows.map(function (values) { return values[i]; })
    };
  });
  var chart = echarts.init(holder, null, { renderer: "canvas" });
  chart.setOption({
    color: ["#b3261e", "#e8684a", "#2f6fb3", "#5b8ff9", "#3a9e6a", "#9aa5b1"],
    textStyle: { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; }
    },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 48, bottom: categories.length > 6 ? 90 : 40 },
    xAxis: {
      type: "category",
      data: categories,
      axisLabel: { interval: 0, rotate: categories.length > 6 ? 30 : 0 }
    },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    dataZoom: categories.length > 12 ? [{ type: "slider", bottom: 8, endValue: 11 }] : [],
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
