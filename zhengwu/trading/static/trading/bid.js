/* 投标页面: seals the bid form in the browser (static/trading/seal.js) and posts only the envelope
   with the page's CSRF and one-time tokens; the passphrase never leaves the page. */
(function () {
  "use strict";
  var seal = document.getElementById("seal-form");
  var upload = document.getElementById("upload-form");
  if (!seal || !upload) return;

  function device() {
    var id = "";
    try {
      id = window.localStorage.getItem("zhengwu-trading-device") || "";
      if (!id) {
        var bytes = new Uint8Array(16);
        window.crypto.getRandomValues(bytes);
        id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
        window.localStorage.setItem("zhengwu-trading-device", id);
      }
    } catch (e) { id = ""; }
    return id;
  }
  upload.querySelector("input[name=device]").value = device();

  seal.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    var error = seal.querySelector("[data-testid=seal-error]");
    var button = seal.querySelector("button[type=submit]");
    error.hidden = true;
    button.disabled = true;
    button.textContent = "正在加密…";
    try {
      var blob = await window.ZhengwuSeal.sealForm(seal);
      var data = new FormData(upload);
      data.set("envelope", blob, "bid.zwbid");
      data.set("device", device());
      // The answer is a redirect back here with the outcome as a message: not followed by fetch (which
      // would show it to nobody), the page reloads and shows it.
      await fetch(upload.action, { method: "POST", body: data, credentials: "same-origin", redirect: "manual" });
      window.location.assign(window.location.href);
    } catch (e) {
      error.textContent = e && e.message ? e.message : "加密失败，请重试";
      error.hidden = false;
      button.disabled = false;
      button.textContent = "加密并递交";
    }
  });
})();
