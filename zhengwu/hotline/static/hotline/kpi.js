// 热线统计: ECharts charts from the page's json_script data. ECharts is vendored under /static.
(function () {
  var source = document.getElementById("hotline-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var font = { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" };
  var charts = [];

  function chart(id, option) {
    var holder = document.getElementById(id);
    if (!holder) { return; }
    var c = echarts.init(holder, null, { renderer: "canvas" });
    option.textStyle = font;
    c.setOption(option);
    charts.push(c);
  }

  function bars(id, rows, color) {
    chart(id, {
      color: [color],
      tooltip: { trigger: "axis" },
      grid: { left: 100, right: 20, top: 10, bottom: 24 },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }) },
      series: [{ type: "bar", barMaxWidth: 22, data: rows.map(function (r) { return r.value; }) }]
    });
  }

  chart("chart-kinds", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "70%"], data: data.kinds }]
  });
  bars("chart-categories", data.categories, "#2f6fb3");
  bars("chart-towns", data.towns, "#3a9e6a");
  chart("chart-months", {
    color: ["#2f6fb3", "#b3261e", "#3a9e6a"],
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 48, right: 48, top: 36, bottom: 30 },
    xAxis: { type: "category", data: data.months.map(function (m) { return m.month; }) },
    yAxis: [{ type: "value", name: "件" }, { type: "value", name: "%", min: 0, max: 100 }],
    series: [
      { name: "工单", type: "bar", barMaxWidth: 28, data: data.months.map(function (m) { return m.orders; }) },
      { name: "按时办结率", type: "line", yAxisIndex: 1, connectNulls: true,
        data: data.months.map(function (m) { return m.on_time; }) },
      { name: "满意率", type: "line", yAxisIndex: 1, connectNulls: true,
        data: data.months.map(function (m) { return m.satisfied; }) }
    ]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
