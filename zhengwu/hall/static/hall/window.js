/* The screen above a counter: the officer's 岗位卡 and the current number, kept current by the stream. */
(function () {
  "use strict";
  var L = window.HallLive;
  var root = document.getElementById("window-screen");
  var id = Number(root.dataset.window);
  function text(sel, value) {
    var el = root.querySelector(sel);
    if (el) el.textContent = value;
  }
  function photo(o) {
    var box = root.querySelector("[data-field=photo]");
    var img = box.querySelector("img");
    if (o && o.photo) {
      if (img && img.getAttribute("src") === o.photo) return;
      img = document.createElement("img");
      img.src = o.photo;
      img.alt = o.name + "的照片";
      box.textContent = "";
      box.appendChild(img);
      box.removeAttribute("aria-hidden");
    } else {
      box.textContent = o ? o.initial : "—";
      box.setAttribute("aria-hidden", "true");
    }
  }
  function show(w) {
    var o = w.officer;
    photo(o);
    text("[data-field=officer]", o ? o.name : "暂无工作人员");
    text("[data-field=employee_no]", o ? "工号 " + o.employee_no : "");
    text("[data-field=title]", o && o.title ? o.title : "");
    text("[data-field=current]", w.current || (w.state === "idle" ? "空闲" : w.label));
    var away = root.querySelector("[data-field=away]");
    away.hidden = !w.away;
    away.textContent = w.away ? "外出告知：" + w.away.kind_label + (w.away.note ? "（" + w.away.note + "）" : "") +
      "，预计 " + w.away.until + " 返回" + (w.away.overdue ? "（已超时）" : "") : "";
    root.dataset.state = w.state;
  }
  L.connect(root.dataset.events, function (msg) {
    (msg.windows || []).forEach(function (w) { if (w.id === id) show(w); });
  }, document.getElementById("live-dot"));
})();
