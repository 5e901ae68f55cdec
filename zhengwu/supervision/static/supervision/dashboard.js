// 统计大屏: four ECharts charts from the page's json_script data. ECharts is vendored under /static.
(function () {
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var font = { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" };
  var charts = [];

  function chart(id, option) {
    var holder = document.getElementById(id);
    if (!holder) { return null; }
    var c = echarts.init(holder, null, { renderer: "canvas" });
    option.textStyle = font;
    c.setOption(option);
    charts.push(c);
    return c;
  }

  chart("chart-trend", {
    color: ["#2f6fb3", "#3a9e6a", "#b3261e"],
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 48, right: 48, top: 36, bottom: 30 },
    xAxis: { type: "category", data: data.trend.map(function (t) { return t.month; }) },
    yAxis: [{ type: "value", name: "件" }, { type: "value", name: "%", min: 0, max: 100 }],
    series: [
      { name: "受理", type: "bar", barMaxWidth: 28, data: data.trend.map(function (t) { return t.accepted; }) },
      { name: "办结", type: "bar", barMaxWidth: 28, data: data.trend.map(function (t) { return t.completed; }) },
      { name: "按时办结率", type: "line", yAxisIndex: 1, connectNulls: true,
        data: data.trend.map(function (t) { return t.rate; }) }
    ]
  });

  var depts = data.cards_by_department.slice(0, 15);
  chart("chart-cards", {
    color: ["#b3261e", "#e6b800"],
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 10, right: 20, top: 36, bottom: 20, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: depts.map(function (d) { return d.name; }) },
    series: [
      { name: "红牌", type: "bar", barMaxWidth: 28, stack: "c", data: depts.map(function (d) { return d.red; }) },
      { name: "黄牌", type: "bar", barMaxWidth: 28, stack: "c", data: depts.map(function (d) { return d.yellow; }) }
    ]
  });

  chart("chart-items", {
    color: ["#b3261e"],
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 10, right: 30, top: 10, bottom: 20, containLabel: true },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.busiest_items.map(function (i) { return i.name; }),
             axisLabel: { width: 170, overflow: "truncate" } },
    series: [{ name: "受理", type: "bar", barMaxWidth: 28, data: data.busiest_items.map(function (i) { return i.accepted; }) }]
  });

  var kids = chart("chart-children", {
    color: ["#2f6fb3", "#e8684a", "#3a9e6a"],
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 48, right: 48, top: 36, bottom: data.children.length > 8 ? 70 : 30 },
    xAxis: { type: "category", data: data.children.map(function (c) { return c.name; }),
             axisLabel: { interval: 0, rotate: data.children.length > 8 ? 35 : 0 } },
    yAxis: [{ type: "value", name: "件" }, { type: "value", name: "%", min: 0, max: 100 }],
    series: [
      { name: "受理", type: "bar", barMaxWidth: 28, data: data.children.map(function (c) { return c.accepted; }) },
      { name: "代办件", type: "bar", barMaxWidth: 28, data: data.children.map(function (c) { return c.agent; }) },
      { name: "按时办结率", type: "line", yAxisIndex: 1, data: data.children.map(function (c) { return c.rate; }) }
    ]
  });
  var byName = {};
  data.children.forEach(function (c) { byName[c.name] = c; });
  if (kids) {
    kids.on("click", function (p) {  // drill down: county → town → village
      var c = byName[p.name];
      if (c && !c.own) { window.location.search = "?region=" + encodeURIComponent(c.code); }
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
