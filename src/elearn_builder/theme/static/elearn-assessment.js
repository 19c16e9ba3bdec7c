/* elearn-assessment.js: the assessment page (docs/runtime.md, "Tracking rules"). Registers
 * Elearn.assessment(ctx), which elearn.js calls once with the shared course context.
 * Draws questions bank by bank for each attempt, keeps the answers in the attempt state as the
 * learner gives them (so a relaunch restores the same questions and answers), scores the scored
 * questions, records every drawn question as an interaction and shows feedback as configured.
 * Responses are kept as the state stores them: choice indexes, a target index per matching source
 * (-1 unanswered), the items' indexes in the learner's order, or the typed text. Marking is
 * elearn-marking.js. Options of choice and multiple-response show in an order seeded per attempt
 * (attempt.o); after a failed attempt `feedbackOnFail: "revisit"` names a module instead of the key;
 * a submitted written answer is checked by the learner against its criteria (elearn-criteria.js).
 * Plain ES2017, no dependencies. */
(function (Elearn) {
  "use strict";

  const TEXT = { "fill-in": true, "long-fill-in": true };
  const fmt = (text, values) => String(text).replace(/\{(\w+)\}/g, (m, key) => (key in values ? values[key] : m));
  const distinct = (list) => new Set(list).size === list.length;
  /** A new attempt's seed for its option order (a uint32). */
  const newSeed = () => (window.crypto && window.crypto.getRandomValues
    ? window.crypto.getRandomValues(new Uint32Array(1))[0] : Math.floor(Math.random() * 4294967296));

  Elearn.assessment = function (ctx) {
    const { data, strings, st, $, $$ } = ctx;
    const S = Elearn.state;
    const M = Elearn.marking;
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
    const checks = (Elearn.criteriaCheck || (() => ({ show() {} })))({ ctx, A, form, drawn });

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
      return $$("input", fs).filter((x) => x.checked).map((x) => options.indexOf(x.value)).filter((x) => x >= 0)
        .sort((x, y) => x - y); // the authored order, whatever order the options are shown in
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
      shown.textContent = fmt(strings.characters_used, { n: used, max: q.maxLength })
        + (q.maxWords ? ` ${fmt(strings.words_used, { n: M.words($("[data-text]", fs).value), max: q.maxWords })}` : "");
      const live = $("[data-char-count-live]", fs);
      clearTimeout(pauses[i]);
      if (live && announce) pauses[i] = setTimeout(() => { live.textContent = fmt(strings.characters_left, { n: q.maxLength - used }); }, 1200);
    }

    const isCorrect = (q, r) => M.isCorrect(q, r);

    /** After marking (immediate feedback; `r` the response, null to clear): each option of a choice question
     *  says whether it is right and whether it was chosen; a wrong matching, order or typed answer is
     *  followed by the right one. */
    function markKey(q, fs, r) {
      $$("[data-key]", fs).forEach((x) => { if (x.classList.contains("el-choice")) delete x.dataset.key; else x.remove(); });
      if (r === null || !q.scored) return;
      if (q.type === "choice" || q.type === "multiple-response" || q.type === "true-false") {
        const options = ids(q);
        $$(".el-choice", fs).forEach((c) => {
          const id = $("input", c).value;
          const right = q.correct.includes(id);
          const chosen = r.includes(options.indexOf(id));
          if (!right && !chosen) return;
          c.dataset.key = right ? "right" : "wrong";
          const tag = document.createElement("span");
          tag.className = "el-key-tag";
          tag.dataset.key = "";
          tag.textContent = right ? (chosen ? strings.key_right_chosen : strings.key_right_missed) : strings.key_wrong_chosen;
          $("label", c).appendChild(tag);
        });
        return;
      }
      const tag = (parent, answer, className) => {
        const el = document.createElement(parent === fs ? "p" : "span");
        el.className = className;
        el.dataset.key = "";
        el.textContent = fmt(strings.key_answer, { answer });
        if (parent === fs) fs.insertBefore(el, $("[data-feedback]", fs)); else parent.appendChild(el);
      };
      const text = (list, id) => (list.find((x) => x.id === id) || { text: id }).text;
      if (q.type === "matching" || q.type === "sequencing") { // under each wrong row, what belongs there
        const right = q.type === "matching" ? q.sources.map((s) => (q.correct.find(([x]) => x === s.id) || [])[1]) : q.correct;
        const list = q.type === "matching" ? q.targets : q.choices;
        $$("select", fs).forEach((select, k) => {
          if (right[k] && select.value !== right[k]) tag(select.closest(".el-select-row"), text(list, right[k]), "el-key-tag");
        });
      } else if (q.accepted && q.accepted.length && !isCorrect(q, r)) tag(fs, q.accepted[0], "el-answer-key");
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

    /* ---- Option order, the module to revisit (issue 16) ---- */

    /** Options of a choice or multiple-response question in this attempt's order (attempt.o). */
    function arrange(i) {
      const q = A.questions[i];
      const box = fieldsets[i] && $(".el-choices", fieldsets[i]);
      if (!box || q.shuffle !== true) return;
      const rows = $$(".el-choice", box);
      const values = rows.map((row) => { const input = $("input", row); return input ? input.value : ""; });
      const authored = q.choices.map((c) => rows[values.indexOf(c.id)]).filter(Boolean);
      M.order(authored.length, st.attempt.o || 0, q.id).forEach((k) => box.appendChild(authored[k]));
    }

    /** After a failed attempt with attempts left, `revisit` names the module to look at again, not the key. */
    const keysWithheld = () => A.feedbackOnFail === "revisit" && "s" in st.attempt && !ctx.passed() && attemptsLeft() > 0;
    const moduleOf = (q) => (data.modules || []).find((m) => m.id === q.module);
    function pointTo(fs, q) {
      const slot = $("[data-revisit]", fs);
      if (!slot) return;
      const m = moduleOf(q);
      const page = m && data.pages.find((p) => p.module === m.id);
      slot.textContent = "";
      if (!page) { slot.textContent = strings.revisit_unknown; return; }
      const link = document.createElement("a");
      link.href = `#page-${page.id}`;
      link.dataset.gotoPage = page.id;
      link.textContent = m.title;
      const [before, after] = strings.revisit_module.split("{module}");
      slot.append(before, link, after || "");
    }
    /** The modules of the wrong answers of a withheld attempt, each once, in the order of the questions. */
    function toRevisit() {
      const a = st.attempt;
      const titles = drawn().map((i, k) => (isCorrect(A.questions[i], a.r[k]) === false ? moduleOf(A.questions[i]) : null))
        .filter(Boolean).map((m) => m.title);
      return titles.filter((t, n) => titles.indexOf(t) === n);
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
      st.attempt = { n: st.attempt.n, d, r: d.map((i) => S.empty(A.questions[i])), o: newSeed() };
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
        ...drawn().map((i, k) => [A.questions[i].scored ? "" : fmt(strings.written_to_review, { number: k + 1 }), ""]),
        [keysWithheld() && A.feedback !== "none" && toRevisit().length
          ? fmt(strings.revisit_summary, { modules: toRevisit().join("; ") }) : "", ""],
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
        if (verdict === "incorrect" && keysWithheld()) { verdict = "revisit"; pointTo(fs, q); }
        if (k >= 0) arrange(i);
        if (verdict) fs.dataset.result = verdict; else delete fs.dataset.result;
        markKey(q, fs, verdict && verdict !== "revisit" ? a.r[k] : null); // a withheld key stays withheld
        $$("[data-feedback]", fs).forEach((f) => { f.hidden = f.dataset.feedback !== verdict; });
      });
      banks.forEach((bank) => { bank.hidden = !$$("[data-question-id]", bank).some((fs) => !fs.hidden); });
      checks.show();
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
      const wordy = questions.findIndex((q, k) => TEXT[q.type] && M.tooLong(q, raw[k]));
      if (wordy >= 0) {
        return refuse(fmt(strings.too_many_words, { number: wordy + 1, max: questions[wordy].maxWords,
          n: M.words(raw[wordy]) }), wordy);
      }
      const repeated = questions.findIndex((q, k) => q.type === "sequencing" && !distinct(raw[k]));
      if (repeated >= 0) {
        const r = raw[repeated];
        const item = questions[repeated].choices[r.find((x, p) => r.indexOf(x) !== p)].text;
        return refuse(fmt(strings.sequencing_repeated, { number: repeated + 1, item }), repeated);
      }
      const responses = questions.map((q, k) => kept(q, raw[k]));
      const right = questions.map((q, k) => isCorrect(q, responses[k]));
      const score = M.score(questions, responses); // weight x credit (partial where the author says)
      const time = new Date();
      questions.forEach((q, k) => ctx.record(interaction(q, responses[k], right[k], time)));
      st.attempt = { n: st.attempt.n + 1, d: order, r: responses, s: score, o: st.attempt.o };
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
    return { collect, written: () => drawn().filter((i) => !A.questions[i].scored), keysWithheld };
  };
})(window.Elearn = window.Elearn || {});
