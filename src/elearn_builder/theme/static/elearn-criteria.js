/* elearn-criteria.js: the learner's check of a submitted written answer against its criteria
 * (docs/format.md, "Assessments that test what they claim"). Registers Elearn.criteriaCheck(env),
 * which elearn-assessment.js calls once with {ctx, A, form, drawn}; returns {show}, which shows the
 * checks of the drawn written answers once the attempt is submitted. Ticked criteria are recorded once
 * per attempt as an interaction of their own ("<question id>-criteria", never scored) and kept in the
 * attempt state as a hex bitmap by the question's place in the draw (attempt.c {"6": "5"}; "0": none met).
 * Plain ES2017, no dependencies. */
(function (Elearn) {
  "use strict";

  const fmt = (text, values) => String(text).replace(/\{(\w+)\}/g, (m, key) => (key in values ? values[key] : m));

  Elearn.criteriaCheck = function ({ ctx, A, form, drawn }) {
    const { strings, st, $, $$ } = ctx;
    const S = Elearn.state;

    /** A submitted written answer's criteria: ticked by the learner, recorded once, kept in attempt.c. */
    const checkBox = (q) => (q.criteria ? $(`[data-criteria-for="${q.id}"]`, form) : null);
    function showChecks() {
      const a = st.attempt;
      const order = drawn();
      A.questions.forEach((q, i) => {
        const box = checkBox(q);
        if (!box) return;
        const k = order.indexOf(i);
        box.hidden = !("s" in a) || k < 0;
        if (box.hidden) return;
        const kept = (a.c || {})[k] || "";
        const met = kept ? S.fromHex(kept, q.criteria.length) : [];
        const number = $("[data-criteria-number]", box);
        if (number) number.textContent = fmt(strings.question_number, { number: k + 1 });
        $$("input", box).forEach((x, n) => { x.checked = met.includes(n); x.disabled = !!kept || st.finished; });
        const button = $('[data-action="check-criteria"]', box);
        if (button) button.hidden = !!kept;
        const said = $("[data-criteria-result]", box);
        if (said) said.textContent = kept ? fmt(strings.criteria_recorded, { n: met.length, total: q.criteria.length }) : "";
      });
    }
    /** The check as an interaction of its own (never scored): which criteria the learner says the answer meets. */
    function checkInteraction(q, met) {
      const ids = q.criteria.map((c) => c.id);
      const description = fmt(strings.criteria_description, { prompt: q.description }).slice(0, 250);
      const question = { id: `${q.id}-criteria`, type: "multiple-response", interactionType: "choice", scored: false,
        description, choices: q.criteria, correct: ids, keyArea: q.keyArea, pcfDomains: q.pcfDomains, bank: q.bank };
      // lmsId: lms_id() of "<id>-criteria" (an id reserved for the check), so it too is [A-Za-z0-9_.] (docs/runtime.md)
      return { id: question.id, lmsId: `${q.lmsId || q.id}_criteria`, type: "choice", description,
        lmsDescription: `${question.id}: ${description}`.slice(0, 250), time: new Date(), isCorrect: null, weight: null,
        options: ids, correct: ids, response: met.map((n) => ids[n]), question };
    }
    form.addEventListener("click", (event) => {
      const button = event.target.closest && event.target.closest('[data-action="check-criteria"]');
      const box = button && button.closest("[data-criteria-for]");
      if (!box || st.finished || !("s" in st.attempt)) return;
      const i = A.questions.findIndex((q) => q.id === box.dataset.criteriaFor);
      const k = drawn().indexOf(i);
      if (i < 0 || k < 0 || (st.attempt.c || {})[k]) return;
      const q = A.questions[i];
      const met = $$("input", box).map((x, n) => (x.checked ? n : -1)).filter((n) => n >= 0);
      // "0" when none is met: still recorded
      st.attempt.c = Object.assign({}, st.attempt.c, { [k]: S.toHex(met, q.criteria.length) });
      ctx.record(checkInteraction(q, met), st.attempt.n); // the attempt just submitted
      ctx.report();
      ctx.commit();
      showChecks();
      const said = $("[data-criteria-result]", box);
      if (said) said.focus();
    });
    return { show: showChecks };
  };
})(window.Elearn = window.Elearn || {});
