/* elearn-marking.js: how answers are marked, with no page in sight (so Node's test runner loads it:
 * tests/js/marking.test.mjs). Registers Elearn.marking; elearn-assessment.js marks through it.
 * Responses are as the attempt state keeps them: choice indexes in the authored order, a target index
 * per matching source (-1 unanswered), the items' indexes in the learner's order, or the typed text.
 * Plain ES2017 plus Unicode property escapes in regular expressions (ES2018: every supported browser). */
(function (Elearn) {
  "use strict";

  const APOSTROPHES = /['\u2018\u2019\u02bc`\u00b4]/g;
  /** A typed answer as it is compared (answertext.py does the same at build time): apostrophes dropped,
   *  other punctuation a space, runs of spaces one, trimmed, and in any case unless it matters:
   *  "Case record." is "case record", "90." is "90", "self-assessment" is "self assessment". */
  function normal(text, caseMatters) {
    const t = String(text).replace(APOSTROPHES, "").replace(/[\p{P}\s]+/gu, " ").trim();
    return caseMatters ? t : t.toLowerCase();
  }

  /** Words as the learner sees them: runs between spaces holding a letter or digit. */
  const words = (text) => String(text).split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

  /** A uniform order of 0..n-1 for a seed and a salt (the question id): FNV-1a, then mulberry32.
   *  Unlike Elearn.state.shuffle it may give the authored order: any place is as likely for the key. */
  function order(n, seed, salt) {
    let h = 2166136261;
    const key = `${seed >>> 0}:${salt}`;
    for (let i = 0; i < key.length; i += 1) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
    const next = () => {
      h = (h + 0x6d2b79f5) >>> 0;
      let t = Math.imul(h ^ (h >>> 15), 1 | h);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i -= 1) {
      const j = Math.floor(next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** Too many words for the question's limit (none when it sets none). */
  const tooLong = (q, text) => q.maxWords > 0 && words(text) > q.maxWords;

  /** The share of the question's credit a response earns, 0 to 1 (null for a written answer). All or
   *  nothing unless the question is `partial`: matching earns per pair right, multiple-response
   *  (right ticks - wrong ticks) / keys, never below 0. A sequence may match any accepted order. */
  function credit(q, r) {
    if (!q.scored) return null;
    if (q.type === "fill-in") {
      return !tooLong(q, r) && q.accepted.some((a) => normal(a, q.caseMatters) === normal(r, q.caseMatters)) ? 1 : 0;
    }
    if (q.type === "matching") {
      const right = q.correct.filter(([s, t]) => {
        const k = q.sources.findIndex((x) => x.id === s);
        return k >= 0 && r[k] >= 0 && r[k] < q.targets.length && q.targets[r[k]].id === t;
      }).length;
      if (right === q.correct.length && r.length === q.sources.length) return 1;
      return q.partial ? right / q.correct.length : 0;
    }
    const chosen = r.map((x) => (q.choices[x] || {}).id);
    if (q.type === "sequencing") {
      const given = chosen.join(" ");
      return [q.correct, ...(q.accept || [])].some((o) => o.join(" ") === given) ? 1 : 0;
    }
    const right = chosen.filter((id) => q.correct.includes(id)).length;
    const wrong = chosen.length - right;
    if (right === q.correct.length && wrong === 0) return 1;
    return q.partial ? Math.max(0, right - wrong) / q.correct.length : 0;
  }

  /** Right in full: true or false, null for a written answer. */
  const isCorrect = (q, r) => (q.scored ? credit(q, r) === 1 : null);

  /** The percentage score of marked questions: sum of weight x credit over the total weight. */
  function score(questions, responses) {
    const weight = (q) => (typeof q.weight === "number" ? q.weight : 1);
    const marked = questions.filter((q) => q.scored);
    const total = marked.reduce((sum, q) => sum + weight(q), 0);
    const got = questions.reduce((sum, q, k) => sum + (q.scored ? weight(q) * credit(q, responses[k]) : 0), 0);
    return total > 0 ? Math.round((100 * got) / total) : 100; // nothing to mark: nothing to fail
  }

  Elearn.marking = { normal, words, order, tooLong, credit, isCorrect, score };
})(window.Elearn = window.Elearn || {});
