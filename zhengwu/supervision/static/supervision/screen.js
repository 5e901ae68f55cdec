// 统计大屏 (wall screen): six ECharts charts, the key figures and a clock, refreshed in place from the
// JSON endpoint every minute (no page reload). Switching region (county → town → village) also fetches
// in place. Font sizes follow the viewport, so 1920×1080 and 3840×2160 look the same. ECharts is vendored.
(function () {
  "use strict";
  var script = document.getElementById("screen-script");
  var source = document.getElementById("screen-data");
  if (!script || !source || typeof echarts === "undefined") { return; }
  var url = script.getAttribute("data-url");
  var data = JSON.parse(source.textContent);
  var region = data.region.code;
  var charts = {};
  var clockBase = 0, clockAt = 0;
  var WEEK = ["日", "一", "二", "三", "四", "五", "六"];
  var C = { blue: "#37c2ff", green: "#3ddc97", red: "#ff5a4e", yellow: "#ffc53d", grey: "#51698c", ink: "#e6f0ff",
            muted: "#8fb0d9", line: "rgba(143,176,217,0.18)" };

  function scale() { return Math.max(0.5, Math.min(window.innerHeight / 1080, window.innerWidth / 1920)); }
  function fs(n) { return Math.round(n * scale()); }
  function num(v) { return Number(v).toFixed(1); }  // as the server prints a rate: 50.0, 33.3
  function pct(v) { return v === null || v === undefined ? "—" : num(v) + "%"; }
  function byId(id) { return document.getElementById(id); }

  // -- the clock: the server's local time (the demo's clock may be set), advanced by the browser's ----------
  function setClock(now) {
    var p = now.split(/[-T:]/).map(Number);
    clockBase = Date.UTC(p[0], p[1] - 1, p[2], p[3], p[4], p[5] || 0);
    clockAt = Date.now();
  }
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var d = new Date(clockBase + (Date.now() - clockAt));
    byId("scr-clock").textContent = d.getUTCFullYear() + "年" + two(d.getUTCMonth() + 1) + "月" + two(d.getUTCDate()) +
      "日 星期" + WEEK[d.getUTCDay()] + " " + two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()) + ":" +
      two(d.getUTCSeconds());
  }

  // -- the figures ---------------------------------------------------------------------------------------
  function setFigure(el, text) {
    if (el.textContent === text) { return; }
    el.textContent = text;
    var box = el.closest(".scr-kpi");
    if (box) { box.classList.remove("scr-flash"); void box.offsetWidth; box.classList.add("scr-flash"); }
  }
  function figures() {
    document.querySelectorAll("[data-k]").forEach(function (el) {
      var v = data.kpis[el.getAttribute("data-k")];
      setFigure(el, el.hasAttribute("data-unit") ? (v === null ? "—" : num(v) + el.getAttribute("data-unit")) : String(v));
    });
    document.querySelectorAll("[data-h]").forEach(function (el) {
      var v = data.hall[el.getAttribute("data-h")];
      setFigure(el, el.hasAttribute("data-unit") ? (v === null ? "—" : v + el.getAttribute("data-unit")) : String(v));
    });
    byId("scr-today").textContent = data.today;
    byId("scr-refreshed").textContent = data.refreshed_local || "尚未汇总";
  }

  function fitFigures() {  // a long figure (100.0%, 12345) shrinks to its box instead of being cut off
    document.querySelectorAll(".scr-kpi b").forEach(function (b) {
      b.style.fontSize = "";
      var room = b.parentNode.clientWidth * 0.92;
      if (b.scrollWidth > room) {
        b.style.fontSize = (parseFloat(getComputedStyle(b).fontSize) * room / b.scrollWidth).toFixed(1) + "px";
      }
    });
  }

  function navigation() {
    var nav = data.nav, path = byId("scr-path"), select = byId("scr-children");
    path.textContent = "";
    nav.path.forEach(function (r, i) {
      if (i) {
        var sep = document.createElement("span");
        sep.className = "scr-sep"; sep.setAttribute("aria-hidden", "true"); sep.textContent = "›";
        path.appendChild(sep);
      }
      var a = document.createElement("a");
      a.href = "?region=" + r.code; a.setAttribute("data-region", r.code); a.title = r.level_label;
      a.textContent = r.name;
      if (i === nav.path.length - 1) { a.setAttribute("aria-current", "page"); }
      path.appendChild(a);
    });
    select.textContent = "";
    var first = document.createElement("option");
    first.value = ""; first.textContent = "选择" + nav.next_level_label + "…";
    select.appendChild(first);
    nav.children.forEach(function (c) {
      var o = document.createElement("option");
      o.value = c.code; o.textContent = c.name;
      select.appendChild(o);
    });
    select.hidden = !nav.children.length;
    var name = data.region.name;
    byId("scr-title").textContent = name + "政务服务统计大屏";
    document.title = document.title.replace(/^.*?政务服务统计大屏/, name + "政务服务统计大屏");
    byId("scr-map-title").textContent = nav.next_level_label ?
      "各" + nav.next_level_label + "本年受理分布（颜色为按时办结率）" : "本级办件";
    byId("scr-analysis").href = byId("scr-analysis").href.replace(/\?.*$/, "") + "?region=" + data.region.code;
  }

  // -- the charts ----------------------------------------------------------------------------------------
  function base() {
    return { backgroundColor: "transparent", animationDurationUpdate: 800,
             textStyle: { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif", fontSize: fs(14) },
             tooltip: { textStyle: { fontSize: fs(14) } } };
  }
  function axis(extra) {
    var a = { axisLabel: { color: C.muted, fontSize: fs(13) }, axisLine: { lineStyle: { color: C.grey } },
              splitLine: { lineStyle: { color: C.line } }, nameTextStyle: { color: C.muted, fontSize: fs(12) } };
    for (var k in extra) { a[k] = extra[k]; }
    return a;
  }
  function legend() { return { top: 0, textStyle: { color: C.ink, fontSize: fs(13) }, itemWidth: fs(18), itemHeight: fs(10) }; }
  function emptyNote(show, text) {
    return [{ id: "empty", type: "text", left: "center", top: "middle", invisible: !show, z: 100,
              style: { text: text, fill: C.muted, fontSize: fs(18), align: "center", lineHeight: fs(32) } }];
  }
  function draw(id, option) {
    var el = byId(id);
    if (!charts[id]) { charts[id] = echarts.init(el, "dark", { renderer: "canvas" }); }
    var b = base();
    for (var k in option) { b[k] = option[k]; }
    charts[id].setOption(b, { replaceMerge: ["series", "graphic"] });
    return charts[id];
  }
  function rateColor(v) {
    if (v === null || v === undefined) { return C.grey; }
    return v >= 95 ? "#1f9e6e" : v >= 85 ? "#c9951a" : "#c7392f";
  }

  function rateLegend() {  // the treemap's colours: a swatch and a word each, in one line at the bottom
    var parts = [[rateColor(100), "≥95%"], [rateColor(90), "85%–95%"], [rateColor(0), "<85%"], [rateColor(null), "无数据"]];
    var children = [], x = 0;
    parts.forEach(function (p) {
      children.push({ type: "rect", invisible: false, shape: { x: x, y: fs(2), width: fs(12), height: fs(12) }, style: { fill: p[0] } });
      children.push({ type: "text", invisible: false, x: x + fs(16), y: 0, style: { text: p[1], fill: C.muted, fontSize: fs(13) } });
      x += fs(16) + fs(13) * (p[1].length * 0.62 + 1.2);
    });
    return { id: "legend", type: "group", invisible: false, left: 0, bottom: 0, children: children };
  }
  function hideAll(g) { g.invisible = true; (g.children || []).forEach(hideAll); return g; }

  function render() {
    var t = data.trend, kids = data.children, k = data.kpis, bw = fs(18);
    draw("scr-trend", {
      color: [C.blue, C.green, C.yellow],
      tooltip: { trigger: "axis", textStyle: { fontSize: fs(14) } }, legend: legend(),
      grid: { left: fs(10), right: fs(10), top: fs(34), bottom: fs(6), containLabel: true },
      xAxis: axis({ type: "category", data: t.map(function (r) { return r.month.slice(2); }) }),
      yAxis: [axis({ type: "value", minInterval: 1 }), axis({ type: "value", min: 0, max: 100, splitLine: { show: false },
              axisLabel: { color: C.muted, fontSize: fs(13), formatter: "{value}%" } })],
      series: [
        { name: "受理", type: "bar", barMaxWidth: bw, data: t.map(function (r) { return r.accepted; }) },
        { name: "办结", type: "bar", barMaxWidth: bw, data: t.map(function (r) { return r.completed; }) },
        { name: "按时办结率", type: "line", yAxisIndex: 1, connectNulls: true, symbolSize: fs(6),
          lineStyle: { width: fs(3) }, data: t.map(function (r) { return r.rate; }) }
      ]
    });

    var gauges = [["本月按时办结率", k.on_time_rate_month], ["本年按时办结率", k.on_time_rate_year],
                  ["本年满意率", k.satisfaction_year]];
    var box = byId("scr-rates"), gw = box.clientWidth, gh = box.clientHeight;
    var radius = Math.max(20, Math.min(gw / 6.6, gh * 0.42));
    draw("scr-rates", {
      series: gauges.map(function (g, i) {
        return { type: "gauge", center: [gw * (1 + 2 * i) / 6, gh * 0.5], radius: radius, min: 0, max: 100,
                 startAngle: 210, endAngle: -30, splitNumber: 4,
                 axisLine: { lineStyle: { width: fs(10), color: [[0.85, C.red], [0.95, C.yellow], [1, C.green]] } },
                 progress: { show: false }, pointer: { width: fs(5), itemStyle: { color: C.ink } },
                 axisTick: { show: false }, splitLine: { length: fs(8), lineStyle: { color: C.ink, width: 1 } },
                 axisLabel: { show: false },
                 title: { offsetCenter: [0, "92%"], color: C.muted, fontSize: fs(14) },
                 detail: { offsetCenter: [0, "52%"], color: "#fff", fontSize: fs(24), fontWeight: "bold",
                           formatter: function () { return pct(g[1]); } },
                 data: [{ name: g[0], value: g[1] === null ? 0 : g[1] }] };
      })
    });

    var nodes = kids.filter(function (c) { return c.accepted > 0; }).map(function (c) {
      return { name: c.name, value: c.accepted, code: c.code, own: c.own, rate: c.rate,
               itemStyle: { color: rateColor(c.rate) } };
    });
    var map = draw("scr-map", {
      tooltip: { textStyle: { fontSize: fs(14) }, formatter: function (p) {
        var d = p.data || {};
        return echarts.format.encodeHTML(p.name) + "<br>本年受理 " + p.value + " 件<br>按时办结率 " + pct(d.rate);
      } },
      series: [{ type: "treemap", left: 0, right: 0, top: 0, bottom: fs(24), roam: false, nodeClick: false,
                 silent: !nodes.length, upperLabel: { show: false },
                 breadcrumb: { show: false },
                 itemStyle: { borderColor: nodes.length ? "#06142b" : "transparent", borderWidth: fs(3), gapWidth: fs(3) },
                 label: { show: !!nodes.length, fontSize: fs(16), color: "#fff", formatter: "{b}\n{c} 件" },
                 data: nodes.length ? nodes : [{ name: "", value: 0, itemStyle: { color: "transparent" } }] }],
      graphic: emptyNote(!nodes.length, data.nav.next_level_label ? "本年暂无下级区域办件" :
                         data.region.name + "为村（社区）级，无下级区域\n本年受理 " + k.accepted_year + " 件，本月 " +
                         k.accepted_month + " 件，代办 " + k.agent_year + " 件")
        .concat([nodes.length ? rateLegend() : hideAll(rateLegend())])
    });
    var bars = kids.length > 8, names = kids.map(function (c) { return c.name; });
    var region = draw("scr-region", {
      color: [C.blue, C.green, C.red, C.yellow],
      tooltip: { trigger: "axis", textStyle: { fontSize: fs(14) } }, legend: legend(),
      grid: { left: fs(10), right: fs(10), top: fs(34), bottom: fs(6), containLabel: true },
      xAxis: axis({ type: "category", data: names,
                    axisLabel: { color: C.muted, fontSize: fs(13), interval: 0, rotate: bars ? 35 : 0,
                                 width: fs(bars ? 90 : 140), overflow: "truncate" } }),
      yAxis: [axis({ type: "value", minInterval: 1 }), axis({ type: "value", min: 0, max: 100, splitLine: { show: false },
              axisLabel: { color: C.muted, fontSize: fs(13), formatter: "{value}%" } })],
      series: [
        { name: "受理", type: "bar", barMaxWidth: bw, data: kids.map(function (c) { return c.accepted; }) },
        { name: "办结", type: "bar", barMaxWidth: bw, data: kids.map(function (c) { return c.completed; }) },
        { name: "在办超期", type: "bar", barMaxWidth: bw, data: kids.map(function (c) { return c.open_overdue; }) },
        { name: "按时办结率", type: "line", yAxisIndex: 1, symbolSize: fs(6), lineStyle: { width: fs(3) },
          data: kids.map(function (c) { return c.rate; }) }
      ],
      graphic: emptyNote(!kids.length, "村（社区）为最末一级，无下级区域")
    });

    var depts = data.cards_by_department.slice(0, 10);
    draw("scr-cards", {
      color: [C.red, C.yellow],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, textStyle: { fontSize: fs(14) } }, legend: legend(),
      grid: { left: fs(10), right: fs(24), top: fs(34), bottom: fs(6), containLabel: true },
      xAxis: axis({ type: "value", minInterval: 1 }),
      yAxis: axis({ type: "category", inverse: true, data: depts.map(function (d) { return d.name; }),
                    axisLabel: { color: C.ink, fontSize: fs(13), width: fs(170), overflow: "truncate" } }),
      series: [
        { name: "红牌", type: "bar", stack: "c", barMaxWidth: bw, data: depts.map(function (d) { return d.red; }) },
        { name: "黄牌", type: "bar", stack: "c", barMaxWidth: bw, data: depts.map(function (d) { return d.yellow; }) }
      ],
      graphic: emptyNote(!depts.length, "当前无红黄牌")
    });

    var items = data.busiest_items;
    draw("scr-items", {
      color: [C.blue],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, textStyle: { fontSize: fs(14) } },
      grid: { left: fs(10), right: fs(40), top: fs(6), bottom: fs(6), containLabel: true },
      xAxis: axis({ type: "value", minInterval: 1 }),
      yAxis: axis({ type: "category", inverse: true, data: items.map(function (i) { return i.name; }),
                    axisLabel: { color: C.ink, fontSize: fs(13), width: fs(200), overflow: "truncate" } }),
      series: [{ name: "本年受理", type: "bar", barMaxWidth: bw, data: items.map(function (i) { return i.accepted; }),
                 label: { show: true, position: "right", color: C.ink, fontSize: fs(13) },
                 itemStyle: { color: new echarts.graphic.LinearGradient(0, 0, 1, 0,
                   [{ offset: 0, color: "#1f6fd1" }, { offset: 1, color: C.blue }]) } }],
      graphic: emptyNote(!items.length, "本年暂无办件")
    });

    if (!map._zwClick) {  // drill down by clicking a region (treemap block or bar)
      map._zwClick = region._zwClick = true;
      var go = function (p) {
        var c = data.children.filter(function (x) { return x.name === p.name; })[0];
        if (c && !c.own) { switchTo(c.code); }
      };
      map.on("click", go);
      region.on("click", go);
    }
  }

  function everything() { figures(); fitFigures(); navigation(); render(); }
  function show(d) { data = d; region = d.region.code; everything(); }

  // -- refresh (every minute) and region switch: fetched in place --------------------------------------------
  function status(text, error) {
    var el = byId("scr-status");
    el.textContent = text;
    el.classList.toggle("scr-error", !!error);
  }
  function refresh() {
    return fetch(url + "?region=" + encodeURIComponent(region), {
      credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) { throw new Error(body.message || ("HTTP " + r.status)); }
        return body;
      });
    }).then(function (body) {
      setClock(body.now);
      show(body);
      status("");
      return data;
    }).catch(function (e) {
      status("刷新失败：" + e.message + "（显示上次数据）", true);
      return null;
    });
  }
  function switchTo(code) {
    var previous = region;
    region = code;
    return refresh().then(function (d) {
      if (d) { history.replaceState(null, "", "?region=" + encodeURIComponent(code)); } else { region = previous; }
      return d;
    });
  }

  byId("scr-path").addEventListener("click", function (e) {
    var a = e.target.closest("a[data-region]");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey) { return; }
    e.preventDefault();
    switchTo(a.getAttribute("data-region"));
  });
  byId("scr-children").addEventListener("change", function (e) {
    if (e.target.value) { switchTo(e.target.value); }
  });
  var full = byId("scr-full");
  if (document.fullscreenEnabled) {  // a wall PC in kiosk mode needs no button; a laptop does
    full.hidden = false;
    full.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
    });
    document.addEventListener("fullscreenchange", function () {
      full.textContent = document.fullscreenElement ? "退出全屏" : "全屏显示";
    });
  }
  var resizing = 0;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      Object.keys(charts).forEach(function (id) { charts[id].resize(); });
      fitFigures();
      render();
    }, 150);
  });

  setClock(data.now);
  tick();
  setInterval(tick, 1000);
  fitFigures();
  render();
  setInterval(refresh, (data.refresh_seconds || 60) * 1000);
  window.zwScreen = { refresh: refresh, switchTo: switchTo, show: show, charts: charts, data: function () { return data; } };
})();
