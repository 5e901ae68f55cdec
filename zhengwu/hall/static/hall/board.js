/* 大屏叫号: render the board from its state; merge each live event into the state and render again.
   The board is exactly the screen: lists that do not fit (108 windows, 48 queues) are shown a page at a time,
   staffed windows first, the next page every PAGE_SECONDS; the current call and the last calls stay in view.
   A screen may show only some groups (a named screen, or ?groups=A,B): their windows and calls only. */
(function () {
  "use strict";
  var L = window.HallLive, esc = L.esc;
  var root = document.getElementById("board");
  var state = JSON.parse(document.getElementById("board-state").textContent);
  var only = JSON.parse((document.getElementById("board-filter") || {}).textContent || "null");
  var callBox = document.getElementById("call-now");
  var lastCall = null;
  var config = JSON.parse((document.getElementById("board-config") || {}).textContent || "{}");
  var PAGE_SECONDS = config.page_seconds || 10;  // the screen's own interval, set by the hall manager
  var pages = {};  // list id -> {page, count}

  function wanted(list, key) {
    if (!only) return list;
    var ids = only[key];
    return list.filter(function (x) { return ids.indexOf(x.id) >= 0; });
  }
  var STAFFED = { called: 0, serving: 0, idle: 1, away: 2, paused: 2, closed: 3, unstaffed: 3 };
  function staffedFirst(ws) {
    return ws.map(function (w, i) { return [STAFFED[w.state] === undefined ? 2 : STAFFED[w.state], i, w]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; }).map(function (x) { return x[2]; });
  }
  function windowNumbers() {
    return wanted(state.windows, "windows").map(function (w) { return String(w.number); });
  }

  /* Show the items of list ``id`` that fit its box, a page at a time; the header shows "第 i/n 页". */
  function paged(id, items, empty) {
    var ul = document.getElementById(id), label = document.getElementById(id.replace("board-", "") + "-page");
    var p = pages[id] || (pages[id] = { page: 0, count: 1 });
    if (!items.length) { ul.innerHTML = empty || ""; p.count = 1; if (label) label.textContent = ""; return; }
    ul.innerHTML = items.join("");
    var limit = ul.clientHeight, kids = ul.children, fit = kids.length;
    if (limit > 0) {
      for (var i = 0; i < kids.length; i++) {
        if (kids[i].offsetTop + kids[i].offsetHeight > limit + 1) { fit = i; break; }
      }
    }
    fit = Math.max(fit, 1);
    p.count = Math.ceil(items.length / fit);
    p.page = p.page % p.count;
    if (p.count > 1) ul.innerHTML = items.slice(p.page * fit, p.page * fit + fit).join("");
    if (label) label.textContent = p.count > 1 ? "第 " + (p.page + 1) + "/" + p.count + " 页" : "";
  }

  function byId(list, id) {
    for (var i = 0; i < list.length; i++) if (list[i].id === id) return i;
    return -1;
  }
  function merge(list, rows) {
    (rows || []).forEach(function (r) {
      var i = byId(list, r.id);
      if (i >= 0) list[i] = r; else list.push(r);
    });
  }

  function renderWindows() {
    paged("board-windows", staffedFirst(wanted(state.windows, "windows")).map(function (w) {
      var who = w.officer ? esc(w.officer.name) + " · 工号 " + esc(w.officer.employee_no) : "";
      var away = w.away ? '<div class="w-officer">' + esc(w.away.kind_label) + "，预计 " + esc(w.away.until) + " 返回" +
        (w.away.overdue ? "（已超时）" : "") + "</div>" : "";
      return '<li class="s-' + esc(w.state) + '" data-window="' + w.id + '">' +
        '<div class="w-no">' + esc(w.number) + '<span class="sr-only">号窗口</span></div>' +
        '<div class="w-name">' + esc(w.name) + "</div>" +
        '<div class="w-label">' + esc(w.label) + "</div>" +
        '<div class="w-officer">' + who + "</div>" + away + "</li>";
    }), "<li>本屏没有窗口</li>");
  }

  function renderGroups() {
    paged("board-groups", wanted(state.groups, "groups").map(function (g) {
      return '<li data-group="' + g.id + '"><span class="g-count" title="等候人数">' + g.waiting + "</span>" +
        '<span class="g-head">' + esc(g.code) + " " + esc(g.name) + "</span>" +
        '<span class="g-next">' + (g.next.length ? esc(g.next.join(" ")) : "暂无等候") + "</span></li>";
    }));
  }

  function renderRecent() {
    var mine = only ? windowNumbers() : null;
    document.getElementById("board-recent").innerHTML = state.recent.filter(function (c) {
      return !mine || mine.indexOf(String(c.window)) >= 0;
    }).slice(0, 6).map(function (c) {
      return "<li><span>" + esc(c.number) + " → " + esc(c.window) + "号窗口</span><span>" + esc(c.at) + "</span></li>";
    }).join("") || "<li>今日尚未叫号</li>";
  }

  function renderAway() {
    var mine = only ? windowNumbers() : null;
    paged("board-away", state.away.filter(function (a) {
      return !mine || (a.window && mine.indexOf(String(a.window)) >= 0);
    }).map(function (a) {
      return "<li>" + esc(a.staff.name) + "（工号 " + esc(a.staff.employee_no) + (a.window ? "，" + esc(a.window) + "号窗口" : "") +
        "）" + esc(a.kind_label) + (a.note ? "：" + esc(a.note) : "") + "，预计 " + esc(a.until) + " 返回" +
        (a.overdue ? "（已超时）" : "") + "</li>";
    }), "<li>工作人员均在岗</li>");
  }

  function showCall(call) {
    if (only && windowNumbers().indexOf(String(call.window)) < 0) return;  // another screen's call
    lastCall = call;
    callBox.querySelector(".call-text").textContent = call.text;
    callBox.querySelector(".call-label").textContent = call.recall ? "重呼（第" + call.recall + "次）" : "正在叫号";
    callBox.classList.remove("flash");
    void callBox.offsetWidth;
    callBox.classList.add("flash");
    L.voice.say(call.text, 2);
  }

  function render() {
    renderWindows(); renderGroups(); renderRecent(); renderAway();
    root.dataset.updated = state.at || "";
  }

  function apply(msg) {
    if (msg.type === "snapshot") {
      state = msg;
    } else {
      merge(state.windows, msg.windows);
      merge(state.groups, msg.groups);
      if (msg.away) state.away = msg.away;
      if (msg.call) {
        state.recent.unshift({ number: msg.call.number, window: msg.call.window, text: msg.call.text,
          at: msg.call.at });
        state.recent = state.recent.slice(0, 20);
        showCall(msg.call);
      }
    }
    render();
  }

  /* the next page of every list that has more than one, every PAGE_SECONDS */
  function turn() {
    Object.keys(pages).forEach(function (id) { if (pages[id].count > 1) pages[id].page += 1; });
    render();
  }
  window.zwBoard = { turn: turn, pages: pages };
  setInterval(turn, PAGE_SECONDS * 1000);
  // a screen changed by the hall manager (its queues, its interval) takes effect on the TV without a hand on it
  setTimeout(function () { window.location.reload(); }, 30 * 60 * 1000);
  window.addEventListener("resize", render);

  render();
  var mineNow = only ? windowNumbers() : null;
  var first = state.recent.filter(function (c) { return !mineNow || mineNow.indexOf(String(c.window)) >= 0; })[0];
  if (first && !lastCall) {
    callBox.querySelector(".call-text").textContent = first.text;
  }
  L.voiceToggle(document.getElementById("voice"));
  L.connect(root.dataset.events, apply, document.getElementById("live-dot"));
})();
