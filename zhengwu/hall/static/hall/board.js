/* 大屏叫号: render the board from its state; merge each live event into the state and render again. */
(function () {
  "use strict";
  var L = window.HallLive, esc = L.esc;
  var root = document.getElementById("board");
  var state = JSON.parse(document.getElementById("board-state").textContent);
  var callBox = document.getElementById("call-now");
  var lastCall = null;

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
    document.getElementById("board-windows").innerHTML = state.windows.map(function (w) {
      var who = w.officer ? esc(w.officer.name) + " · 工号 " + esc(w.officer.employee_no) : "";
      var away = w.away ? '<div class="w-officer">' + esc(w.away.kind_label) + "，预计 " + esc(w.away.until) + " 返回" +
        (w.away.overdue ? "（已超时）" : "") + "</div>" : "";
      return '<li class="s-' + esc(w.state) + '" data-window="' + w.id + '">' +
        '<div class="w-no">' + esc(w.number) + '<span class="sr-only">号窗口</span></div>' +
        '<div class="w-name">' + esc(w.name) + "</div>" +
        '<div class="w-label">' + esc(w.label) + "</div>" +
        '<div class="w-officer">' + who + "</div>" + away + "</li>";
    }).join("");
  }

  function renderGroups() {
    document.getElementById("board-groups").innerHTML = state.groups.map(function (g) {
      return '<li data-group="' + g.id + '"><span class="g-count" title="等候人数">' + g.waiting + "</span>" +
        '<span class="g-head">' + esc(g.code) + " " + esc(g.name) + "</span>" +
        '<span class="g-next">' + (g.next.length ? esc(g.next.join(" ")) : "暂无等候") + "</span></li>";
    }).join("");
  }

  function renderRecent() {
    document.getElementById("board-recent").innerHTML = state.recent.map(function (c) {
      return "<li><span>" + esc(c.number) + " → " + esc(c.window) + "号窗口</span><span>" + esc(c.at) + "</span></li>";
    }).join("") || "<li>今日尚未叫号</li>";
  }

  function renderAway() {
    document.getElementById("board-away").innerHTML = state.away.map(function (a) {
      return "<li>" + esc(a.staff.name) + "（工号 " + esc(a.staff.employee_no) + (a.window ? "，" + esc(a.window) + "号窗口" : "") +
        "）" + esc(a.kind_label) + (a.note ? "：" + esc(a.note) : "") + "，预计 " + esc(a.until) + " 返回" +
        (a.overdue ? "（已超时）" : "") + "</li>";
    }).join("") || "<li>工作人员均在岗</li>";
  }

  function showCall(call) {
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
        state.recent = state.recent.slice(0, 6);
        showCall(msg.call);
      }
    }
    render();
  }

  render();
  if (state.recent.length && !lastCall) {
    callBox.querySelector(".call-text").textContent = state.recent[0].text;
  }
  L.voiceToggle(document.getElementById("voice"));
  L.connect(root.dataset.events, apply, document.getElementById("live-dot"));
})();
