/* elearn-selfassessment.js: the self-assessment page and the skills-gap profile (docs/runtime.md,
 * "Pages"). Registers Elearn.gapProfile(data, digits) (the figures), Elearn.drawGapProfile(root,
 * profile, data) (fills the template's chart and table) and Elearn.selfAssessment(ctx) (the form:
 * submit, record each statement as a likert interaction, retake). Plain ES2017, no dependencies. */
(function (Elearn) {
  "use strict";

  const fmt = (text, values) => String(text).replace(/\{(\w+)\}/g, (m, key) => (key in values ? values[key] : m));
  const one = (x) => x.toFixed(1);

  /** Per key area: the mean of its statements' points to one decimal, the stage's expectation, the
   *  difference (expected minus score when that is above zero, else 0: the xAPI `gaps`) and whether it
   *  counts as a gap (`isGap`: at least the self-assessment's gapThreshold). `digits`: one point per statement. */
  Elearn.gapProfile = function (data, digits) {
    const statements = data.selfAssessment.statements;
    return data.keyAreas.map((area) => {
      const points = statements.map((s, i) => (s.keyArea === area.id ? Number(digits[i]) : 0)).filter((p) => p > 0);
      const sum = points.reduce((a, b) => a + b, 0);
      const score = points.length ? Math.round((10 * sum) / points.length) / 10 : 0;
      const gap = Math.max(Math.round(10 * (area.expected - score)) / 10, 0);
      const isGap = gap > 0 && gap >= data.selfAssessment.gapThreshold;
      return { id: area.id, title: area.title, expected: area.expected, score, gap, isGap, modules: area.modules };
    });
  };

  /** Fills a gap-profile block of the template: summary, bars (with their text alternative) and table. */
  Elearn.drawGapProfile = function (root, profile, data) {
    const strings = data.strings;
    const max = data.selfAssessment.scale.length;
    const gaps = profile.filter((a) => a.isGap).length;
    const summary = root.querySelector("[data-gap-summary]");
    if (summary) summary.textContent = gaps ? fmt(strings.gap_summary_gaps, { n: gaps, total: profile.length }) : strings.gap_summary_none;
    const threshold = root.querySelector("[data-gap-threshold]");
    if (threshold) threshold.textContent = fmt(strings.gap_threshold, { threshold: one(data.selfAssessment.gapThreshold) });
    const chart = root.querySelector("[data-gap-chart]");
    if (chart) {
      const rows = profile.map((a) => fmt(strings.gap_chart_row, { area: a.title, score: one(a.score), expected: a.expected }));
      chart.setAttribute("aria-label", `${strings.gap_chart}. ${rows.join("; ")}.`);
    }
    profile.forEach((a) => {
      root.querySelectorAll(`[data-area="${a.id}"]`).forEach((row) => {
        row.dataset.gap = String(a.isGap);
        const bar = row.querySelector("[data-bar]");
        if (bar) bar.style.width = `${Math.min((100 * a.score) / max, 100)}%`;
        const cells = { "[data-bar-value]": one(a.score), '[data-cell="score"]': one(a.score),
          '[data-cell="gap"]': a.isGap ? one(a.gap) : strings.gap_none };
        Object.keys(cells).forEach((selector) => {
          const cell = row.querySelector(selector);
          if (cell) cell.textContent = cells[selector];
        });
        const modules = row.querySelector("[data-modules]"); // what to study: only for a gap
        if (modules) modules.hidden = !a.isGap;
        const none = row.querySelector("[data-no-modules]");
        if (none) none.hidden = a.isGap;
      });
    });
  };

  Elearn.selfAssessment = function (ctx) {
    const { data, strings, st, $, $$ } = ctx;
    const SA = data.selfAssessment;
    const page = document.getElementById("page-self-assessment");
    const form = page && $("[data-self-assessment]", page);
    if (!SA || !form) return { render() {}, retake() {} };
    const profileBox = $("[data-gap-profile]", page);
    const notice = $("[data-sa-retaking]", page);
    const error = $("[data-form-error]", form);
    const fieldsets = SA.statements.map((s) => $(`[data-statement-id="${s.id}"]`, form));
    let retaking = false;

    const read = () => fieldsets.map((fs) => { const x = fs && $("input:checked", fs); return x ? x.value : ""; });

    /** The form until the first submission (or during a retake), else the latest gap profile. */
    function render() {
      const latest = st.sa.l || st.sa.b;
      const asking = retaking || !latest;
      form.hidden = !asking;
      if (notice) notice.hidden = !retaking;
      if (!profileBox) return;
      profileBox.hidden = asking;
      if (!asking) Elearn.drawGapProfile(profileBox, Elearn.gapProfile(data, latest), data);
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (st.finished) return;
      const points = read();
      const missing = points.map((p, i) => i).filter((i) => !points[i]);
      if (missing.length) {
        if (error) {
          error.textContent = fmt(strings.sa_answer_all, { n: missing.length });
          error.hidden = false;
        }
        const first = fieldsets[missing[0]] && $("input", fieldsets[missing[0]]);
        if (first) first.focus();
        return;
      }
      if (error) error.hidden = true;
      const digits = points.join("");
      if (st.sa.b) st.sa.l = digits; else st.sa.b = digits;
      const time = new Date();
      SA.statements.forEach((s, i) => ctx.record({
        id: s.id, lmsId: s.lmsId || s.id, type: "likert", description: s.description, lmsDescription: s.lmsDescription,
        time, isCorrect: null, weight: null,
        correct: [], response: points[i],
      }));
      retaking = false;
      ctx.report();
      ctx.commit(); // like an assessment result: saved at once
      render();
      const heading = profileBox && $("h2", profileBox);
      if (heading) heading.focus();
    });

    /** Back to an empty form; the submission becomes the latest, the first stays the baseline. */
    function retake() {
      retaking = true;
      $$("input", form).forEach((x) => { x.checked = false; });
      if (error) error.hidden = true;
      render();
    }

    render();
    return { render, retake };
  };
})(window.Elearn = window.Elearn || {});
