/* Checks, in the citizen's own browser, that an entry of the GDX hub's audit log is in the
 * log the hub signed: RFC 9162 section 2.1.3.2 (the inclusion proof gives the root of the
 * signed tree head), then the hub's Ed25519 signature over that tree head, both through
 * Web Crypto. No library, no CDN, no inline script (CSP default-src 'self').
 *
 * Proof document (exchange.selectors.subject_reading_proof): leaf (base64url of the leaf's
 * bytes), leaf_index, tree_size, proof (hex hashes, leaf to root), sth {tree_size,
 * timestamp_ms, root_hash (hex), sig_alg, signer_kid, sig (base64url)}, hub_key {alg, pub}.
 * Signed tree-head bytes: "gdx/v1/sth" 0x00 || u64be(tree_size) || u64be(timestamp_ms) || root.
 *
 * Markup (exchange/_subject_readings.html): a [data-proof-url-template] element (with
 * "{index}" in the URL, and data-msg-* texts), buttons [data-verify-index], and for each an
 * element #reading-result-<index> that receives the answer and data-result="holds" /
 * "does-not-hold" / "error".
 */
(function () {
  "use strict";

  var HEX64 = /^[0-9a-f]{64}$/;

  function fail(reason) {
    var error = new Error(reason);
    error.proofReason = reason;
    throw error;
  }

  function b64url(text) {
    if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) fail("bad base64url");
    var s = text.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var raw = atob(s);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function hex(text) {
    if (typeof text !== "string" || !HEX64.test(text)) fail("bad hash");
    var out = new Uint8Array(32);
    for (var i = 0; i < 32; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }

  function toHex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return s;
  }

  function concat(parts) {
    var size = 0;
    parts.forEach(function (p) { size += p.length; });
    var out = new Uint8Array(size);
    var at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }

  function sha256(parts) {
    return crypto.subtle.digest("SHA-256", concat(parts)).then(function (d) {
      return new Uint8Array(d);
    });
  }

  function equal(a, b) {
    if (a.length !== b.length) return false;
    var diff = 0;
    for (var i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }

  function whole(value) {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) fail("bad number");
    return BigInt(value);
  }

  /* RFC 9162 2.1.3.2: the root a leaf hash and its audit path lead to (BigInt: log indexes
   * pass 2^31, where JavaScript's bitwise operators stop). */
  async function rootFromPath(leafHash, index, size, path) {
    var fn = whole(index), sn = whole(size) - 1n, r = leafHash;
    if (fn > sn) fail("index outside the tree");
    for (var i = 0; i < path.length; i++) {
      if (sn === 0n) fail("path too long");
      if (fn % 2n === 1n || fn === sn) {
        r = await sha256([Uint8Array.of(1), path[i], r]);
        if (fn % 2n === 0n) {
          while (fn % 2n === 0n && fn !== 0n) { fn /= 2n; sn /= 2n; }
        }
      } else {
        r = await sha256([Uint8Array.of(1), r, path[i]]);
      }
      fn /= 2n;
      sn /= 2n;
    }
    if (sn !== 0n) fail("path too short");
    return r;
  }

  function treeHeadMessage(sth) {
    var head = new TextEncoder().encode("gdx/v1/sth\u0000");
    var numbers = new Uint8Array(16);
    var view = new DataView(numbers.buffer);
    view.setBigUint64(0, whole(sth.tree_size));
    view.setBigUint64(8, whole(sth.timestamp_ms));
    return concat([head, numbers, hex(sth.root_hash)]);
  }

  /* "valid", "invalid", or "unchecked" when this browser has no Web Crypto Ed25519 (or the
   * hub uses another algorithm): the page then says that only the path was checked. */
  async function checkSignature(sth, hubKey) {
    if (!hubKey || sth.sig_alg !== hubKey.alg) return "invalid";
    var pub = b64url(hubKey.pub);
    if (toHex(await sha256([pub])) !== sth.signer_kid) return "invalid";
    if (hubKey.alg !== "ed25519") return "unchecked";
    var key;
    try {
      key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      return "unchecked";
    }
    var ok = await crypto.subtle.verify({ name: "Ed25519" }, key, b64url(sth.sig), treeHeadMessage(sth));
    return ok ? "valid" : "invalid";
  }

  /* What the page shows must be what the log says (fields of the leaf's canonical JSON). */
  function sameAsShown(leaf, expected) {
    if (!expected) return true;
    var entry;
    try {
      entry = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(leaf));
    } catch (e) {
      return false;
    }
    return Object.keys(expected).every(function (k) {
      return expected[k] === undefined || expected[k] === "" || entry[k] === expected[k];
    });
  }

  /* Resolves to {holds, signature, reason}; never rejects. */
  async function verifyProof(doc, expected) {
    try {
      var sth = doc.sth;
      if (!sth || (doc.tree_size !== undefined && doc.tree_size !== sth.tree_size)) fail("tree size");
      var leaf = b64url(doc.leaf);
      var leafHash = await sha256([Uint8Array.of(0), leaf]);
      if (doc.leaf_hash !== undefined && toHex(leafHash) !== doc.leaf_hash) fail("leaf hash");
      if (!Array.isArray(doc.proof) || doc.proof.length > 64) fail("bad path");
      var root = await rootFromPath(leafHash, doc.leaf_index, sth.tree_size, doc.proof.map(hex));
      if (!equal(root, hex(sth.root_hash))) fail("root");
      if (!sameAsShown(leaf, expected)) fail("not the entry shown");
      var signature = await checkSignature(sth, doc.hub_key);
      if (signature === "invalid") fail("signature");
      return { holds: true, signature: signature, reason: "" };
    } catch (e) {
      return { holds: false, signature: "", reason: e.proofReason || String(e) };
    }
  }

  var FALLBACK = {
    checking: "กำลังตรวจสอบ… (checking…)",
    holds: "ถูกต้อง (holds): รายการนี้อยู่ในบันทึกการแลกเปลี่ยนที่ศูนย์ GDX ลงนามไว้",
    holdsUnsigned: "ถูกต้องตามรากของบันทึก (holds) แต่เบราว์เซอร์นี้ตรวจลายมือชื่อของศูนย์ไม่ได้",
    notHold: "ไม่ถูกต้อง (does not hold): หลักฐานไม่ตรงกับบันทึกที่ลงนามไว้",
    unavailable: "เบราว์เซอร์ตรวจสอบได้เฉพาะเมื่อเปิดหน้านี้ผ่าน HTTPS (cannot check here)",
    error: "ตรวจสอบไม่ได้ในขณะนี้ โปรดลองอีกครั้ง (could not check now)",
  };

  function message(container, name) {
    var key = "msg" + name.charAt(0).toUpperCase() + name.slice(1);
    return (container && container.dataset[key]) || FALLBACK[name];
  }

  function show(container, target, state, text) {
    if (!target) return;
    target.textContent = text;
    target.dataset.result = state;
    target.className = "reading-result reading-" + state;
  }

  async function onVerify(container, button) {
    var index = button.dataset.verifyIndex;
    var target = document.getElementById("reading-result-" + index);
    var url = container.dataset.proofUrlTemplate.replace("{index}", encodeURIComponent(index));
    var expected = {
      request_id: button.dataset.requestId,
      consumer: button.dataset.consumer,
      document_type: button.dataset.documentType,
    };
    if (!window.crypto || !window.crypto.subtle) {
      // Web Crypto exists only in secure contexts (HTTPS, localhost): say so, never "does not hold".
      show(container, target, "error", message(container, "unavailable"));
      return;
    }
    button.disabled = true;
    show(container, target, "checking", message(container, "checking"));
    try {
      var response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      var doc = await response.json();
      var result = await verifyProof(doc, expected);
      if (!result.holds) {
        show(container, target, "does-not-hold", message(container, "notHold"));
      } else if (result.signature === "valid") {
        show(container, target, "holds", message(container, "holds"));
      } else {
        show(container, target, "holds", message(container, "holdsUnsigned"));
      }
    } catch (e) {
      show(container, target, "error", message(container, "error"));
    } finally {
      button.disabled = false;
    }
  }

  function bind(root) {
    (root || document).querySelectorAll("[data-proof-url-template]").forEach(function (container) {
      if (container.dataset.verifyBound) return;
      container.dataset.verifyBound = "1";
      container.addEventListener("click", function (event) {
        var button = event.target.closest("[data-verify-index]");
        if (button && container.contains(button)) onVerify(container, button);
      });
    });
  }

  window.CitizenInfoVerify = {
    verifyProof: verifyProof,
    rootFromPath: rootFromPath,
    treeHeadMessage: treeHeadMessage,
    bind: bind,
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { bind(document); });
  } else {
    bind(document);
  }
  // Pages that swap content in with htmx get their new buttons bound too.
  document.addEventListener("htmx:afterSwap", function (event) { bind(event.target); });
})();
