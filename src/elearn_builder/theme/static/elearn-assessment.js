/* elearn-assessment.js: the assessment page (docs/runtime.md, "Tracking rules"). Registers
 * Elearn.assessment(ctx), which elearn.js calls once with the shared course context.
 * Draws questions bank by bank for each attempt, keeps the answers in the attempt state as the
 * learner gives them (so a relaunch restores the same questions and answers), scores the scored
 * questions, records every drawn question as an interaction and shows feedback as configured.
 * Responses are kept as the state stores them: choice indexes, a target index per matching source
 * (-1 unanswered), the items' indexes in the learner's order, or the typed text.
 * Plain ES2017, no dependencies. */
(function (Elearn) {
  "use strict";

  const TEXT = { "fill-in": true, "long-fill-in": true };
  const fmt = (text, values) => String(text).replace(/\{(\w+)\}/g, (m, key) => (key in values ? values[key] : m));
  const distinct = (list) => new Set(list).size === list.length;
  /** Fill-in answers compare trimmed, with runs of spaces as one, and in any case unless it matters. */
  const normal = (text, caseMatters) => {
    const t = String(text).trim().replace(/\s+/g, " ");
    return caseMatters ? t : t.toLowerCase();
  };

  Elearn.assessment = function (ctx) {
    const { data, strings, st, $, $$ } = ctx;
    const S = Elearn.state;
    const A = data.assessment;
    const form = $("[data-assessment]");
    const result = $("[data-assessment-result]");
    if (!form || !result) return { collect() {} };
    const fieldsets = A.questions.map((q) => $(`[data-question-id="${q.id}"]`, form));
    const banks = $$("[data-bank-id]", form);
    const formError = $("[data-form-error]", form);
    const submitButton = $('[type="submit"]', form);
    const retryButton = $('[data-action="retry"]');
    const weight = (q) => (typeof q.weight === "number" ? q.weight : 1);
    const ids = (q) => (q.choices || []).map((c) => c.id);
    const drawn = () => st.attempt.d || [];
    const attemptsLeft = () => (A.attempts > 0 ? Math.max(A.attempts - st.attempt.n, 0) : Infinity);
    const canRetry = () => "s" in st.attempt && !ctx.passed() && attemptsLeft() > 0;

    /* ---- One question's controls: read, keep, restore ---- */

    function read(i) {
      const q = A.questions[i];
      const fs = fieldsets[i];
      if (!fs) return S.empty(q);
      const pick = (selector, list) => { const el = $(selector, fs); return el ? list.findIndex((x) => x.id === el.value) : -1; };
      if (q.type === "matching") return q.sources.map((s) => pick(`select[data-source="${s.id}"]`, q.targets));
      if (q.type === "sequencing") return q.choices.map((c, p) => pick(`select[data-position="${p}"]`, q.choices));
      if (TEXT[q.type]) { const el = $("[data-text]", fs); return el ? S.clean(el.value, q.maxLength) : ""; }
      const options = ids(q);
      return $$("input", fs).filter((x) => x.checked).map((x) => options.indexOf(x.value)).filter((x) => x >= 0);
    }
    /** What the state keeps of a read response: partial matchings, but only whole orders. */
    function kept(q, raw) {
      if (q.type === "matching") return raw.some((t) => t >= 0) ? raw : [];
      if (q.type === "sequencing") return raw.every((x) => x >= 0) && distinct(raw) ? raw : [];
      return raw;
    }
    const complete = (q, raw) => (TEXT[q.type] ? raw.trim() !== "" : raw.length > 0 && raw.every((x) => x >= 0));

    function write(i, r) {
      const q = A.questions[i];
      const fs = fieldsets[i];
      if (!fs) return;
      if (q.type === "matching") {
        q.sources.forEach((s, k) => {
          const el = $(`select[data-source="${s.id}"]`, fs);
          if (el) el.value = r.length && r[k] >= 0 ? q.targets[r[k]].id : "";
        });
      } else if (q.type === "sequencing") {
        q.choices.forEach((c, p) => {
          const el = $(`select[data-position="${p}"]`, fs);
          if (el) el.value = r.length ? q.choices[r[p]].id : "";
        });
      } else if (TEXT[q.type]) {
        const el = $("[data-text]", fs);
        if (el) el.value = r;
        count(i, false);
      } else {
        const options = ids(q);
        $$("input", fs).forEach((x) => { x.checked = r.includes(options.indexOf(x.value)); });
      }
    }

    /* The character count of a written answer: shown at once, announced once typing pauses. */
    const pauses = {};
    function count(i, announce) {
      const q = A.questions[i];
      const fs = fieldsets[i];
      const shown = fs && $("[data-char-count]", fs);
      if (!shown) return;
      const used = S.clean($("[data-text]", fs).value, q.maxLength).length;
      shown.textContent = fmt(strings.characters_used, { n: used, max: q.maxLength });
      const live = $("[data-char-count-live]", fs);
      clearTimeout(pauses[i]);
      if (live && announce) pauses[i] = setTimeout(() => { live.textContent = fmt(strings.characters_left, { n: q.maxLength - used }); }, 1200);
    }

    function isCorrect(q, r) {
      if (!q.scored) return null;
      if (TEXT[q.type]) return q.accepted.some((a) => normal(a, q.caseMatters) === normal(r, q.caseMatters));
      if (q.type === "matching") {
        return r.length === q.sources.length && q.correct.every(([s, t]) => {
          const k = q.sources.findIndex((x) => x.id === s);
          return k >= 0 && r[k] >= 0 && q.targets[r[k]].id === t;
        });
      }
      const chosen = r.map((x) => q.choices[x].id);
      if (q.type === "sequencing") return chosen.join(" ") === q.correct.join(" ");
      return chosen.length === q.correct.length && chosen.every((id) => q.correct.includes(id));
    }

    /** The interaction as the adapters take it; they own each edition's formats. */
    function interaction(q, r, right, time) {
      const lms = {}; // author id -> the id the LMS is given (lmsId: [A-Za-z0-9_.], docs/runtime.md)
      [].concat(q.choices || [], q.sources || [], q.targets || []).forEach((c) => { lms[c.id] = c.lmsId || c.id; });
      const out = { id: q.id, lmsId: q.lmsId || q.id, lms, type: q.interactionType, description: q.description,
        lmsDescription: q.lmsDescription, time,
        isCorrect: right, weight: q.scored ? weight(q) : null };
      if (q.type === "matching") {
        return Object.assign(out, { sources: q.sources.map((s) => s.id), targets: q.targets.map((t) => t.id),
          correct: q.correct, response: r.map((t, k) => (t >= 0 ? [q.sources[k].id, q.targets[t].id] : null)).filter(Boolean) });
      }
      if (q.type === "fill-in") return Object.assign(out, { correct: q.accepted, caseMatters: !!q.caseMatters, response: r });
      if (q.type === "long-fill-in") return Object.assign(out, { correct: [], response: r });
      return Object.assign(out, { options: ids(q), correct: q.correct, response: r.map((x) => q.choices[x].id) });
    }

    /* ---- Attempts ---- */

    /** Each bank's draw, in source order (all of a bank when its draw is 0 or covers it). */
    function draw() {
      const order = [];
      A.banks.forEach((bank) => {
        let pool = bank.questions.slice();
        if (bank.draw > 0 && bank.draw < pool.length) {
          for (let i = pool.length - 1; i > 0; i -= 1) {
            const j = Math.floor(Math.random() * (i + 1));
            [pool[i], pool[j]] = [pool[j], pool[i]];
          }
          pool = pool.slice(0, bank.draw).sort((x, y) => x - y);
        }
        order.push(...pool);
      });
      return order;
    }
    function newAttempt() {
      const d = draw();
      st.attempt = { n: st.attempt.n, d, r: d.map((i) => S.empty(A.questions[i])) };
    }

    /** Copies the answers on screen into the attempt state (before every save). */
    function collect() {
      if (st.finished || "s" in st.attempt) return;
      drawn().forEach((i, k) => { st.attempt.r[k] = kept(A.questions[i], read(i)); });
    }

    function showResult() {
      const a = st.attempt;
      result.textContent = "";
      if (!("s" in a)) { delete result.dataset.passed; return; }
      const ok = ctx.passed();
      const left = attemptsLeft();
      const written = drawn().some((i) => !A.questions[i].scored);
      result.dataset.passed = String(ok);
      [
        [A.feedback === "none" ? strings.submitted : "", ""],
        [ok ? strings.passed : strings.failed, "el-verdict"],
        [A.feedback === "none" ? "" : fmt(strings.score, { score: a.s, pass_mark: A.passMark }), ""],
        [written ? strings.written_awaiting : "", ""],
        [ok || left === Infinity ? "" : (left ? fmt(strings.attempts_left, { n: left }) : strings.no_attempts_left), ""],
      ].filter(([text]) => text).forEach(([text, className]) => {
        const p = document.createElement("p");
        p.textContent = text;
        p.className = className;
        result.appendChild(p);
      });
    }

    /** The form for the current attempt: drawn questions, numbers, answers and feedback. */
    function render() {
      const order = drawn();
      const a = st.attempt;
      const submitted = "s" in a;
      A.questions.forEach((q, i) => {
        const fs = fieldsets[i];
        if (!fs) return;
        const k = order.indexOf(i);
        fs.hidden = k < 0;
        fs.disabled = k < 0 || submitted;
        const number = $("[data-question-number]", fs);
        if (number && k >= 0) number.textContent = fmt(strings.question_number, { number: k + 1 });
        write(i, k >= 0 ? a.r[k] : S.empty(q));
        let verdict = "";
        if (submitted && k >= 0 && A.feedback === "immediate") {
          verdict = q.scored ? (isCorrect(q, a.r[k]) ? "correct" : "incorrect") : "review";
        }
        if (verdict) fs.dataset.result = verdict; else delete fs.dataset.result;
        $$("[data-feedback]", fs).forEach((f) => { f.hidden = f.dataset.feedback !== verdict; });
      });
      banks.forEach((bank) => { bank.hidden = !$$("[data-question-id]", bank).some((fs) => !fs.hidden); });
      if (formError) formError.hidden = true;
      if (submitButton) submitButton.hidden = submitted;
      if (retryButton) retryButton.hidden = !canRetry();
      showResult();
    }

    function refuse(message, k) {
      if (formError) {
        formError.textContent = message;
        formError.hidden = false;
      }
      const control = $("input, select, textarea", fieldsets[drawn()[k]]);
      if (control) control.focus();
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (st.finished || "s" in st.attempt) return;
      const order = drawn();
      const questions = order.map((i) => A.questions[i]);
      const raw = order.map(read);
      const missing = questions.map((q, k) => k).filter((k) => !complete(questions[k], raw[k]));
      if (missing.length) return refuse(fmt(strings.answer_all, { numbers: missing.map((k) => k + 1).join(", ") }), missing[0]);
      const repeated = questions.findIndex((q, k) => q.type === "sequencing" && !distinct(raw[k]));
      if (repeated >= 0) {
        const r = raw[repeated];
        const item = questions[repeated].choices[r.find((x, p) => r.indexOf(x) !== p)].text;
        return refuse(fmt(strings.sequencing_repeated, { number: repeated + 1, item }), repeated);
      }
      const responses = questions.map((q, k) => kept(q, raw[k]));
      const right = questions.map((q, k) => isCorrect(q, responses[k]));
      const scored = questions.filter((q) => q.scored);
      const total = scored.reduce((sum, q) => sum + weight(q), 0);
      const got = questions.reduce((sum, q, k) => sum + (right[k] ? weight(q) : 0), 0);
      const score = total > 0 ? Math.round((100 * got) / total) : 100; // nothing to mark: nothing to fail
      const time = new Date();
      questions.forEach((q, k) => ctx.record(interaction(q, responses[k], right[k], time)));
      st.attempt = { n: st.attempt.n + 1, d: order, r: responses, s: score };
      ctx.score(score);
      ctx.report();
      ctx.commit(); // a result is saved at once, not at the next page change
      render();
      result.focus();
    });

    if (retryButton) retryButton.addEventListener("click", () => {
      if (st.finished || !canRetry()) return;
      newAttempt();
      render(); // clears the form first: saving reads the answers from it
      ctx.report();
      const first = fieldsets[drawn()[0]];
      const control = first && $("input, select, textarea", first);
      if (control) control.focus();
    });

    /* Answers are kept as they are given; the next page change (or exit) commits them. */
    const questionOf = (target) => fieldsets.indexOf(target.closest("[data-question-id]"));
    form.addEventListener("input", (event) => {
      const i = questionOf(event.target);
      if (i < 0 || !TEXT[A.questions[i].type]) return;
      const cleaned = S.clean(event.target.value, A.questions[i].maxLength);
      if (cleaned !== event.target.value) event.target.value = cleaned;
      count(i, true);
      collect();
    });
    form.addEventListener("change", (event) => {
      if (questionOf(event.target) < 0 || st.finished || "s" in st.attempt) return;
      ctx.report();
    });

    /* Options of matching and sequencing in a stable shuffled order (authors list sequences in order). */
    A.questions.forEach((q, i) => {
      if (!fieldsets[i] || (q.type !== "matching" && q.type !== "sequencing")) return;
      $$("select", fieldsets[i]).forEach((select) => {
        const options = Array.from(select.options).filter((o) => o.value);
        S.shuffle(options.map((o) => o.value), q.id).forEach((v) => select.appendChild(options.find((o) => o.value === v)));
      });
    });

    if (!st.attempt.d) newAttempt();
    render();
    return { collect, written: () => drawn().filter((i) => !A.questions[i].scored) };
  };
})(window.Elearn = window.Elearn || {});
