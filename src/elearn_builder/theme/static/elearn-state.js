/* elearn-state.js: suspend data version 2 (docs/runtime.md, "Suspend data"), typed-text cleaning and
 * a stable shuffle. Registers Elearn.state; elearn.js reads and writes through it.
 *   {"v":2,"h":fingerprint,"p":hex bitmap of visited content pages,"s":{"b":baseline,"l":latest},
 *    "a":{"n":attempts submitted,"d":[drawn question indexes],"r":[responses],"s":score,
 *         "o":option-order seed,"c":{place in the draw of a checked written answer: criteria met, hex}},
 *    "i":interactions recorded (the index of the next one)}
 * Plain ES2017, no dependencies. */
(function (Elearn) {
  "use strict";

  const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g; // all but tab (09) and newline (0A)

  /** Typed text as kept: no control characters but newline and tab, no lone surrogate (JSON would
   *  escape it as six characters), at most `max` UTF-16 units without splitting a pair. */
  function clean(text, max) {
    const s = String(text == null ? "" : text).replace(/\r\n?/g, "\n").replace(CONTROL, "");
    let out = "";
    for (let i = 0; i < s.length; i += 1) {
      const c = s.charCodeAt(i);
      let ch = s[i];
      if (c >= 0xd800 && c <= 0xdbff) {
        const next = s.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) { ch = s.slice(i, i + 2); i += 1; } else ch = "\ufffd";
      } else if (c >= 0xdc00 && c <= 0xdfff) ch = "\ufffd";
      if (max > 0 && out.length + ch.length > max) break;
      out += ch;
    }
    return out;
  }

  /** Indexes 0..count-1 as hex digits: index i is bit i % 4 of digit i / 4. */
  function toHex(indexes, count) {
    const digits = new Array(Math.ceil(count / 4)).fill(0);
    indexes.forEach((i) => { if (i >= 0 && i < count) digits[i >> 2] |= 1 << (i & 3); });
    return digits.map((d) => d.toString(16)).join("");
  }

  function fromHex(hex, count) {
    const out = [];
    if (typeof hex !== "string" || !/^[0-9a-f]*$/.test(hex)) return out;
    for (let i = 0; i < count; i += 1) {
      if (parseInt(hex[i >> 2] || "0", 16) & (1 << (i & 3))) out.push(i);
    }
    return out;
  }

  const isInt = (x, min, max) => Number.isInteger(x) && x >= min && x < max;
  const distinct = (list) => new Set(list).size === list.length;

  /** A saved response for question q, or its empty form when it does not fit the question. */
  function response(q, r) {
    if (q.type === "fill-in" || q.type === "long-fill-in") return typeof r === "string" ? clean(r, q.maxLength) : "";
    if (!Array.isArray(r)) return [];
    if (q.type === "matching") {
      return r.length === q.sources.length && r.every((t) => isInt(t, -1, q.targets.length)) ? r : [];
    }
    const n = q.choices.length;
    if (!r.every((i) => isInt(i, 0, n)) || !distinct(r)) return [];
    if (q.type === "sequencing") return r.length === n ? r : [];
    if (q.type === "multiple-response") return r;
    return r.length <= 1 ? r : [];
  }

  /** The empty response of each type: [] for lists, "" for text. */
  const empty = (q) => (q.type === "fill-in" || q.type === "long-fill-in" ? "" : []);
  const answered = (r) => (typeof r === "string" ? r.trim() !== "" : r.length > 0);

  /** Saved state from suspend data: {visited (content page indexes), sa {b, l}, attempt, next, x}, or null;
   *  `reset` is true when there was state of another course version (fingerprint) to discard; `next`: the
   *  interactions it counted (kept across versions). */
  function decode(text, data) {
    if (!text) return { saved: null, reset: false };
    let raw = null;
    try { raw = JSON.parse(text); } catch (e) { /* unreadable: restart */ }
    if (!raw || typeof raw !== "object" || raw.v !== 2 || raw.h !== data.fingerprint) {
      /* Another version's state: restart, but never write interactions over the ones it counted. */
      return { saved: null, reset: true, next: raw && isInt(raw.i, 0, Infinity) ? raw.i : 0 };
    }
    const contentCount = data.pages.filter((p) => p.kind === "content").length;
    const sa = {};
    const SA = data.selfAssessment;
    const s = raw.s && typeof raw.s === "object" ? raw.s : {};
    if (SA) {
      const valid = (v) => typeof v === "string" && v.length === SA.statements.length
        && v.split("").every((d) => d >= "1" && d <= String(SA.scale.length));
      if (valid(s.b)) sa.b = s.b;
      if (sa.b && valid(s.l)) sa.l = s.l;
    }
    const questions = data.assessment.questions;
    const a = raw.a && typeof raw.a === "object" ? raw.a : {};
    const attempt = { n: isInt(a.n, 0, Infinity) ? a.n : 0 };
    if (Array.isArray(a.d) && a.d.length && a.d.every((i) => isInt(i, 0, questions.length)) && distinct(a.d)) {
      attempt.d = a.d;
      attempt.r = a.d.map((i, k) => response(questions[i], Array.isArray(a.r) ? a.r[k] : null));
      if (typeof a.s === "number" && a.s >= 0 && a.s <= 100 && attempt.n > 0) attempt.s = a.s;
      if (isInt(a.o, 0, 4294967296)) attempt.o = a.o;
      const c = a.c && typeof a.c === "object" && !Array.isArray(a.c) ? Object.keys(a.c) : [];
      if ("s" in attempt && c.length && c.every((k) => /^\d{1,4}$/.test(k) && +k < a.d.length
        && typeof a.c[k] === "string" && /^[0-9a-f]{1,7}$/.test(a.c[k]))) attempt.c = Object.assign({}, a.c);
    }
    /* x: what the xAPI statements need to carry on (elearn-xapi.js): the registration a SCORM launch made, and
     * how many self-assessments were submitted. */
    const x = {};
    if (raw.x && typeof raw.x === "object") {
      if (typeof raw.x.r === "string" && /^[0-9a-f-]{36}$/i.test(raw.x.r)) x.r = raw.x.r;
      if (isInt(raw.x.k, 0, Infinity)) x.k = raw.x.k;
    }
    const next = isInt(raw.i, 0, Infinity) ? raw.i : 0;
    return { saved: { visited: fromHex(raw.p, contentCount), sa, attempt, next, x }, reset: false, next };
  }

  /** Compact JSON of the state (keys in the documented order; r only once something is answered). */
  function encode(state, data) {
    const contentCount = data.pages.filter((p) => p.kind === "content").length;
    const out = { v: 2, h: data.fingerprint, p: toHex(state.visitedContent, contentCount) };
    if (state.sa.b) out.s = state.sa.l ? { b: state.sa.b, l: state.sa.l } : { b: state.sa.b };
    const a = state.attempt;
    out.a = { n: a.n };
    if (a.d) out.a.d = a.d;
    if (a.d && a.r && a.r.some(answered)) out.a.r = a.r;
    if ("s" in a) out.a.s = a.s;
    if ("o" in a) out.a.o = a.o;
    if (a.c && "s" in a) out.a.c = a.c;
    if (state.next) out.i = state.next;
    if (state.x) out.x = state.x;
    return JSON.stringify(out);
  }

  /** A stable pseudo-random order of `list` for `seed` (FNV-1a, then an LCG), never the given order
   *  when there is another: options listed in the correct order would give the answer away. */
  function shuffle(list, seed) {
    let h = 2166136261;
    for (let i = 0; i < seed.length; i += 1) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
    const out = list.slice();
    for (let i = out.length - 1; i > 0; i -= 1) {
      h = (Math.imul(h, 1664525) + 1013904223) >>> 0;
      const j = h % (i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    if (out.length > 1 && out.every((x, i) => x === list[i])) out.push(out.shift());
    return out;
  }

  Elearn.state = { clean, toHex, fromHex, decode, encode, response, empty, answered, shuffle };
})(window.Elearn = window.Elearn || {});
