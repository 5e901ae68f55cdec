// 统计大屏 · 工程建设项目: projects by stage, from the page's json_script. ECharts is vendored under /static.
(function () {
  var source = document.getElementById("projects-panel-data");
  var holder = document.getElementById("chart-projects");
  if (!source || !holder || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var c = echarts.init(holder, null, { renderer: "canvas" });
  c.setOption({
    textStyle: { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" },
    color: ["#2f6fb3"],
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 40, right: 20, top: 36, bottom: 30 },
    xAxis: { type: "category", data: data.by_stage.map(function (s) { return s.name; }) },
    yAxis: { type: "value", name: "个", minInterval: 1 },
    series: [{ name: "项目数", type: "bar", barMaxWidth: 40, data: data.by_stage.map(function (s) { return s.count; }) }]
  });
  c.on("click", function (p) {
    var s = data.by_stage[p.dataIndex];
    if (s) { window.location.href = "/projects/?stage=" + s.stage; }
  });
  window.addEventListener("resize", function () { c.resize(); });
})();
