/* elearn-cpd.js: the CPD record page (docs/runtime.md, "Pages"). Registers Elearn.cpdRecord(ctx).
 * Fills the template's record from the state whenever the page is shown or printed: date, pages
 * completed, first and latest self-assessment side by side, the assessment result with written
 * answers awaiting review, and the PCF domains covered (modules whose pages were all visited, and
 * the questions of the submitted attempt). Print shows the record only (theme.css).
 * Plain ES2017, no dependencies. */
(function (Elearn) {
  "use strict";

  const fmt = (text, values) => String(text).replace(/\{(\w+)\}/g, (m, key) => (key in values ? values[key] : m));
  const one = (x) => x.toFixed(1);

  Elearn.cpdRecord = function (ctx) {
    const { data, strings, st, $ } = ctx;
    const A = data.assessment;
    const page = document.getElementById("page-cpd-record");
    const root = page && $("[data-cpd-record]", page);
    if (!root) return { render() {} };
    const field = (name) => $(`[data-cpd="${name}"]`, root);
    const put = (name, text) => { const el = field(name); if (el) el.textContent = text; };
    const show = (name, visible) => { const el = field(name); if (el) el.hidden = !visible; };
    const element = (tag, className, text) => {
      const el = document.createElement(tag);
      el.className = className;
      el.textContent = text;
      return el;
    };

    function selfAssessment() {
      if (!data.selfAssessment) return;
      const { b, l } = st.sa;
      put("sa-status", !b ? strings.cpd_sa_none : (l ? strings.cpd_sa_twice : strings.cpd_sa_once));
      show("profile", !!b);
      if (!b) return;
      const first = Elearn.gapProfile(data, b);
      const latest = l ? Elearn.gapProfile(data, l) : null;
      first.forEach((area, k) => {
        const row = $(`tr[data-area="${area.id}"]`, field("profile"));
        if (!row) return;
        const now = (latest || first)[k];
        row.querySelector('[data-cell="first"]').textContent = one(area.score);
        row.querySelector('[data-cell="latest"]').textContent = latest ? one(now.score) : strings.cpd_not_yet;
        row.querySelector('[data-cell="gap"]').textContent = now.isGap ? one(now.gap) : strings.gap_none;
      });
    }

    function assessment() {
      const a = st.attempt;
      const submitted = "s" in a;
      put("assessment-status", a.n ? "" : strings.cpd_not_submitted);
      show("assessment-status", !a.n);
      show("assessment", a.n > 0);
      put("result", ctx.passed() ? strings.cpd_passed : strings.cpd_failed);
      put("score", submitted ? `${a.s}%` : "");
      const score = field("score");
      if (score && score.parentNode) score.parentNode.hidden = !submitted;
      put("attempts", A.attempts ? fmt(strings.cpd_of, { n: a.n, total: A.attempts }) : fmt(strings.cpd_unlimited, { n: a.n }));
      const list = field("written-list");
      const written = submitted ? a.d.map((i, k) => [A.questions[i], a.r[k]]).filter(([q]) => !q.scored) : [];
      show("written", written.length > 0);
      if (!list) return;
      list.textContent = "";
      written.forEach(([q, text]) => {
        const item = element("div", "el-written", "");
        item.appendChild(element("p", "el-written-prompt", q.description));
        item.appendChild(element("p", "el-written-text", text));
        item.appendChild(element("p", "el-written-status", strings.cpd_awaiting));
        list.appendChild(item);
      });
    }

    function domains() {
      const seen = new Set(ctx.visitedContent());
      const found = new Set();
      data.modules.forEach((m) => {
        const own = data.pages.filter((p) => p.kind === "content" && p.module === m.id);
        if (own.length && own.every((p) => seen.has(p.id))) m.pcfDomains.forEach((d) => found.add(d));
      });
      if ("s" in st.attempt) st.attempt.d.forEach((i) => (A.questions[i].pcfDomains || []).forEach((d) => found.add(d)));
      const list = field("domains");
      if (!list) return;
      list.textContent = "";
      const sorted = Array.from(found).sort((x, y) => x - y);
      if (!sorted.length) list.appendChild(element("li", "", strings.cpd_domains_none));
      sorted.forEach((d) => list.appendChild(element("li", "", strings[`pcf_domain_${d}`] || String(d))));
    }

    function render() {
      const content = data.pages.filter((p) => p.kind === "content");
      put("date", new Date().toLocaleDateString(data.programme.language || "en-GB", { day: "numeric", month: "long", year: "numeric" }));
      put("pages", fmt(strings.cpd_of, { n: ctx.visitedContent().length, total: content.length }));
      selfAssessment();
      assessment();
      domains();
    }

    const printButton = $('[data-action="print"]', page);
    if (printButton) printButton.addEventListener("click", () => { render(); window.print(); });
    const retakeButton = $('[data-action="retake-self-assessment"]', page);
    if (retakeButton) retakeButton.addEventListener("click", () => { if (!st.finished) ctx.retakeSelfAssessment(); });
    window.addEventListener("beforeprint", render);
    return { render };
  };
})(window.Elearn = window.Elearn || {});
