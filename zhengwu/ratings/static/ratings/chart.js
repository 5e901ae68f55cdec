// Ratings metrics chart: one bar group per row (officer, window, department …), one bar per
// metric in percent. Data from the page's json_script; ECharts from /static/vendor, never a CDN.
(function () {
  var holder = document.getElementById("ratings-chart");
  var source = document.getElementById("ratings-chart-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var names = data.groups.map(function (g) { return g.name; });
  var series = data.kpis.map(function (label, i) {
    return {
      name: label, type: "bar", barMaxWidth: 18,
      data: data.groups.map(function (g) { return g.values[i]; })
    };
  });
  var chart = echarts.init(holder, null, { renderer: "canvas" });
  chart.setOption({
    color: ["#b3261e", "#2f6fb3", "#3a9e6a", "#f0a800"],
    textStyle: { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" },
    tooltip: {
      trigger: "axis", axisPointer: { type: "shadow" },
      valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; }
    },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 48, bottom: names.length > 6 ? 90 : 40 },
    xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    dataZoom: names.length > 12 ? [{ type: "slider", bottom: 8, endValue: 11 }] : [],
    series: series
  });
  holder.setAttribute("data-rendered", "1");
  window.addEventListener("resize", function () { chart.resize(); });
})();
