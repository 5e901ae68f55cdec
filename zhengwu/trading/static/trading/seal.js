/*
 * 投标文件加密（浏览器端）: seals a bid with the bidder's passphrase before it leaves the browser.
 * The same envelope as zhengwu/trading/sealing.py (and `zhengwu trading_seal`):
 *   "ZWBID1" | PBKDF2-HMAC-SHA256 iterations (uint32 big-endian) | salt (16) | nonce (12)
 *   | AES-256-GCM ciphertext + tag (additional data = the 38 header bytes)
 * Plaintext: UTF-8 JSON {"form": {price, duration_days, project_manager, quality, deposit_account},
 *                        "files": [{"name", "content_b64"}]}.
 * The passphrase never leaves the page: keep it, it is needed to decrypt at the opening.
 *
 *   const blob = await ZhengwuSeal.sealForm(formElement);   // fields named like the form keys,
 *                                                          // <input type=file name=files multiple>,
 *                                                          // <input type=password name=passphrase>
 *   const bytes = await ZhengwuSeal.seal(plainBytes, passphrase);
 */
(function (root) {
  "use strict";
  var MAGIC = [0x5a, 0x57, 0x42, 0x49, 0x44, 0x31]; // "ZWBID1"
  var ITERATIONS = 250000;
  var MIN_ITERATIONS = 200000;
  var FORM_FIELDS = ["price", "duration_days", "project_manager", "quality", "deposit_account"];
  var subtle = (root.crypto || {}).subtle;

  function randomBytes(n) {
    var out = new Uint8Array(n);
    root.crypto.getRandomValues(out);
    return out;
  }

  function toBase64(bytes) {
    var parts = [];
    for (var i = 0; i < bytes.length; i += 0x8000) {
      parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)));
    }
    return root.btoa(parts.join(""));
  }

  async function deriveKey(passphrase, salt, iterations) {
    var base = await subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveKey"]);
    return subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: iterations },
      base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  }

  function header(iterations, salt, nonce) {
    var h = new Uint8Array(38);
    h.set(MAGIC, 0);
    new DataView(h.buffer).setUint32(6, iterations, false);
    h.set(salt, 10);
    h.set(nonce, 26);
    return h;
  }

  /** The envelope (Uint8Array) of plain (Uint8Array) under passphrase. */
  async function seal(plain, passphrase, iterations) {
    if (!subtle) throw new Error("当前浏览器不支持 WebCrypto 加密，请使用新版浏览器（须通过 HTTPS 访问）");
    if (!passphrase) throw new Error("请设置投标文件加密口令");
    iterations = iterations || ITERATIONS;
    if (iterations < MIN_ITERATIONS) throw new Error("口令派生迭代次数不得少于 200000 次");
    var salt = randomBytes(16);
    var nonce = randomBytes(12);
    var head = header(iterations, salt, nonce);
    var key = await deriveKey(passphrase, salt, iterations);
    var body = new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: head, tagLength: 128 },
      key, plain));
    var out = new Uint8Array(head.length + body.length);
    out.set(head, 0);
    out.set(body, head.length);
    return out;
  }

  /** The plaintext of an envelope (to let a bidder check its own file before uploading). */
  async function unseal(envelope, passphrase) {
    for (var i = 0; i < MAGIC.length; i++) {
      if (envelope[i] !== MAGIC[i]) throw new Error("投标文件未加密或格式不正确");
    }
    var head = envelope.subarray(0, 38);
    var iterations = new DataView(head.buffer, head.byteOffset, 38).getUint32(6, false);
    var key = await deriveKey(passphrase, head.slice(10, 26), iterations);
    try {
      return new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: head.slice(26, 38), additionalData: head,
        tagLength: 128 }, key, envelope.subarray(38)));
    } catch (e) {
      throw new Error("解密口令错误或投标文件已损坏");
    }
  }

  /** The sealed JSON: form is a plain object, files a list of {name, bytes (Uint8Array)}. */
  function bidPlaintext(form, files) {
    var f = {};
    FORM_FIELDS.forEach(function (k) {
      if (form[k] !== undefined && form[k] !== null && form[k] !== "") {
        f[k] = k === "duration_days" ? parseInt(form[k], 10) : String(form[k]);
      }
    });
    return new TextEncoder().encode(JSON.stringify({
      form: f,
      files: files.map(function (x) { return { name: x.name, content_b64: toBase64(x.bytes) }; })
    }));
  }

  /** Seal a <form>: its fields, its files (input name="files") and its passphrase (name="passphrase"). */
  async function sealForm(formElement) {
    var data = new FormData(formElement);
    var passphrase = data.get("passphrase") || "";
    var confirm = data.get("passphrase_confirm");
    if (confirm !== null && confirm !== passphrase) throw new Error("两次输入的加密口令不一致");
    if (passphrase.length < 8) throw new Error("加密口令至少 8 位，请妥善保管，开标解密时需要");
    var form = {};
    FORM_FIELDS.forEach(function (k) { form[k] = data.get(k); });
    var files = [];
    var list = data.getAll("files");
    for (var i = 0; i < list.length; i++) {
      if (list[i] && list[i].size !== undefined && list[i].name) {
        files.push({ name: list[i].name, bytes: new Uint8Array(await list[i].arrayBuffer()) });
      }
    }
    var sealed = await seal(bidPlaintext(form, files), passphrase);
    return new Blob([sealed], { type: "application/octet-stream" });
  }

  var api = { seal: seal, unseal: unseal, bidPlaintext: bidPlaintext, sealForm: sealForm,
              ITERATIONS: ITERATIONS, MAGIC: "ZWBID1" };
  root.ZhengwuSeal = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof window !== "undefined" ? window : globalThis);
