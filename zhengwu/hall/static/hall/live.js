/* Shared by the hall's live pages: the event stream, HTML escaping and the spoken call (Web Speech API). */
(function () {
  "use strict";

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* Listen to the hall's server-sent events; the browser reconnects by itself (retry from the server). */
  function connect(url, onMessage, dot) {
    if (!("EventSource" in window)) return null;
    var es = new EventSource(url);
    es.onopen = function () { if (dot) dot.classList.add("on"); };
    es.onerror = function () { if (dot) dot.classList.remove("on"); };
    es.onmessage = function (e) {
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      onMessage(msg);
    };
    return es;
  }

  var DIGITS = "零一二三四五六七八九";
  /* "请A001号到05号窗口办理" is read digit by digit: "请A零零一号到零五号窗口办理". */
  function spoken(text) {
    return String(text).replace(/[0-9]/g, function (d) { return DIGITS.charAt(+d); });
  }

  var voice = {
    on: false,
    supported: "speechSynthesis" in window && "SpeechSynthesisUtterance" in window,
    pick: function () {
      var voices = window.speechSynthesis.getVoices() || [];
      return voices.find(function (v) { return /^zh([-_]CN)?/i.test(v.lang || ""); }) || null;
    },
    say: function (text, times) {
      if (!this.on || !this.supported) return false;
      var v = this.pick();
      for (var i = 0; i < (times || 2); i++) {
        var u = new SpeechSynthesisUtterance(spoken(text));
        u.lang = "zh-CN";
        u.rate = 0.9;
        if (v) u.voice = v;
        window.speechSynthesis.speak(u);
      }
      return true;
    }
  };

  /* A toggle button: browsers speak only after a user gesture, so the display is switched on once. */
  function voiceToggle(button) {
    if (!button) return;
    if (!voice.supported) { button.disabled = true; button.textContent = "此浏览器不支持语音播报"; return; }
    function set(on) {
      voice.on = on;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "语音播报：开" : "开启语音播报";
      try { localStorage.setItem("hallVoice", on ? "1" : "0"); } catch (e) { /* private mode */ }
    }
    button.addEventListener("click", function () {
      set(!voice.on);
      if (voice.on) voice.say("语音播报已开启", 1);
    });
    var saved = null;
    try { saved = localStorage.getItem("hallVoice"); } catch (e) { /* private mode */ }
    set(saved === "1");
  }

  window.HallLive = { esc: esc, connect: connect, spoken: spoken, voice: voice, voiceToggle: voiceToggle };
})();
