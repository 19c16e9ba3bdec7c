/* elearn.js: the runtime facade inside every package (contract: docs/runtime.md).
 * Reads the course data (#elearn-data), connects through one adapter (SCORM 1.2, SCORM 2004, or
 * standalone when no LMS is found), shows one page at a time, bookmarks and resumes, runs the
 * assessment and reports progress, score and interactions. The adapters register themselves in
 * Elearn.adapters; the course starts once the document has loaded. Plain ES2017, no dependencies. */
(function (Elearn) {
  "use strict";

  const adapters = Elearn.adapters = Elearn.adapters || {};
  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));
  const fmt = (text, values) => String(text).replace(/\{(\w+)\}/g, (m, key) => (key in values ? values[key] : m));

  /* ---- The LMS API: discovery and guarded calls, shared by the SCORM adapters ---- */

  function findIn(win, name, depth) {
    for (let level = 0; win && level <= depth; level += 1) {
      try { if (win[name]) return win[name]; } catch (e) { /* a frame of another origin: keep climbing */ }
      if (!win.parent || win.parent === win) break;
      win = win.parent;
    }
    return null;
  }

  /** A session with the LMS object `name` (found up `parent`, then `opener`), or null.
   *  `calls` maps roles to the edition's function names. No call is made before init or after
   *  finish; a failed call is logged with its error code and never throws. */
  Elearn.connect = function (name, calls, depth) {
    const api = findIn(window, name, depth) || (window.opener ? findIn(window.opener, name, depth) : null);
    if (!api) return null;
    let state = "new";
    function call(role, args) {
      let value = "false";
      let code = "101"; // general failure, when the API itself throws
      try {
        value = String(api[calls[role]].apply(api, args));
        code = String(api[calls.error]());
      } catch (e) { /* reported below */ }
      if (code !== "0") {
        let text = "";
        try { text = String(api[calls.errorString](code)); } catch (e) { /* the code says enough */ }
        console.warn(`elearn: ${calls[role]}(${args.join(", ")}) failed: ${code} ${text}`);
      }
      return { value, ok: code === "0" };
    }
    return {
      init() {
        if (state !== "new") return false;
        if (call("init", [""]).value !== "true") return false;
        state = "running";
        return true;
      },
      get(element) {
        if (state !== "running") return "";
        const result = call("get", [element]);
        return result.ok ? result.value : "";
      },
      set: (element, value) => state === "running" && call("set", [element, String(value)]).value === "true",
      commit: () => state === "running" && call("commit", [""]).value === "true",
      finish() {
        if (state !== "running") return false;
        state = "finished";
        return call("finish", [""]).value === "true";
      },
    };
  };

  /* ---- Suspend data: {"v":1,"p":[visited page indexes],"a":{attempt state}} ---- */

  /** Attempt state: n attempts submitted; d drawn question indexes (only with a draw); once the
   *  current attempt is submitted, s its score (%) and r its responses (choice indexes per question). */
  function decode(text, pageCount, questions) {
    let saved = null;
    try { saved = JSON.parse(text); } catch (e) { return null; }
    if (!saved || saved.v !== 1) return null;
    const isIndex = (max) => (i) => Number.isInteger(i) && i >= 0 && i < max;
    const visited = (Array.isArray(saved.p) ? saved.p : []).filter(isIndex(pageCount));
    const a = saved.a || {};
    const attempt = { n: Number.isInteger(a.n) && a.n > 0 ? a.n : 0 };
    if (Array.isArray(a.d) && a.d.length && a.d.every(isIndex(questions.length))) attempt.d = a.d;
    const drawnCount = attempt.d ? attempt.d.length : questions.length;
    if (typeof a.s === "number" && Array.isArray(a.r) && a.r.length === drawnCount) {
      attempt.s = a.s;
      attempt.r = a.r;
    }
    return { visited, attempt };
  }

  /* ---- Connecting and reporting ---- */

  /** The format's adapter when its LMS starts a session, else standalone; the status line says which. */
  function connect(data, say) {
    const lms = adapters[data.format] ? adapters[data.format](data) : null;
    const launch = lms ? lms.start() : null;
    if (launch) {
      say("lms_connected");
      return { adapter: lms, launch };
    }
    say(lms ? "lms_error" : "no_lms", "warning");
    const adapter = adapters.standalone(data);
    return { adapter, launch: adapter.start() };
  }

  /** Writes only values that changed since the last write (or launch), and commits only when something did. */
  function tracker(adapter, launch, onCommitFailure) {
    const written = { setLocation: JSON.stringify([launch.location]), setSuspendData: JSON.stringify([launch.suspendData]) };
    let dirty = false;
    return {
      put(method, ...args) {
        const key = JSON.stringify(args);
        if (written[method] === key) return;
        written[method] = key;
        dirty = true;
        adapter[method](...args);
      },
      record(interaction) {
        dirty = true;
        adapter.recordInteraction(interaction);
      },
      commit() {
        if (!dirty) return;
        dirty = false;
        if (!adapter.commit()) onCommitFailure();
      },
    };
  }

  /* ---- The course ---- */

  function run(data) {
    const strings = data.strings || {};
    const statusLine = $("[data-status]");
    const say = (key, level) => {
      if (!statusLine) return;
      statusLine.textContent = strings[key] || key;
      statusLine.dataset.level = level || "info";
    };

    const { adapter, launch } = connect(data, say);
    document.documentElement.dataset.elearnAdapter = adapter.name;
    const pages = data.pages;
    const sections = pages.map((p) => document.getElementById(`page-${p.id}`));
    const content = pages.map((p, i) => i).filter((i) => pages[i].kind === "content");
    const A = data.assessment;
    const saved = decode(launch.suspendData, pages.length, A.questions);
    const st = {
      current: -1,
      visited: new Set(saved ? saved.visited : []),
      attempt: saved ? saved.attempt : { n: 0 },
      finished: false,
    };

    const track = tracker(adapter, launch, () => say("save_failed", "warning"));
    const submittedOnce = () => st.attempt.n > 0;
    const passed = () => ("s" in st.attempt ? st.attempt.s >= A.passMark : (submittedOnce() ? false : null));
    function report() {
      const seen = content.filter((i) => st.visited.has(i)).length;
      const done = seen === content.length && submittedOnce();
      track.put("setLocation", pages[st.current].id);
      track.put("setSuspendData", JSON.stringify({ v: 1, p: Array.from(st.visited).sort((x, y) => x - y), a: st.attempt }));
      track.put("setProgress", Math.round((10000 * (seen + (submittedOnce() ? 1 : 0))) / (content.length + 1)) / 10000);
      track.put("setStatus", done, passed());
    }

    /* Navigation: one page at a time. */
    const tocLinks = $$("[data-nav-page]");
    const tocTargets = tocLinks.map((link) => pages.findIndex((p) => p.id === link.dataset.navPage));
    const prevButtons = $$('[data-action="prev"]');
    const nextButtons = $$('[data-action="next"]');
    const progress = $("[data-progress]");
    const baseTitle = document.title;
    function show(index, focus) {
      if (st.finished || index < 0 || index >= pages.length || !sections[index]) return;
      sections.forEach((section, i) => { if (section) section.hidden = i !== index; });
      st.current = index;
      st.visited.add(index);
      tocLinks.forEach((link, l) => {
        const i = tocTargets[l];
        if (i === index) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
        if (st.visited.has(i) && !("visited" in link.dataset)) {
          link.dataset.visited = "";
          const note = document.createElement("span");
          note.className = "el-sr-only";
          note.textContent = ` ${strings.visited || ""}`;
          link.appendChild(note);
        }
      });
      prevButtons.forEach((b) => { b.disabled = index === 0; });
      nextButtons.forEach((b) => { b.disabled = index === pages.length - 1; });
      if (progress) progress.textContent = fmt(strings.page_of || "", { n: index + 1, total: pages.length });
      document.title = `${pages[index].title}: ${baseTitle}`;
      if (focus) {
        window.scrollTo(0, 0);
        const heading = $("h1", sections[index]);
        if (heading) heading.focus();
      }
      report();
      track.commit();
    }
    const step = (delta) => () => show(st.current + delta, true);
    prevButtons.forEach((b) => b.addEventListener("click", step(-1)));
    nextButtons.forEach((b) => b.addEventListener("click", step(1)));
    const toc = $(".el-toc details");
    const narrow = window.matchMedia && window.matchMedia("(max-width: 48em)");
    if (toc && narrow && narrow.matches) toc.open = false;
    tocLinks.forEach((link, l) => link.addEventListener("click", (event) => {
      event.preventDefault();
      show(tocTargets[l], true);
      if (toc && narrow && narrow.matches) toc.open = false;
    }));

    /* Exit: the button or the page going away; once. */
    function exit() {
      if (st.finished) return;
      report();
      st.finished = true;
      adapter.finish();
      $$("[data-action]").forEach((b) => { b.disabled = true; });
      say("saved_exit");
      if (statusLine) { statusLine.tabIndex = -1; statusLine.focus(); }
    }
    $$('[data-action="exit"]').forEach((b) => b.addEventListener("click", exit));
    window.addEventListener("pagehide", exit);

    assessment({ A, strings, st, passed, report,
      record: (interaction) => track.record(interaction),
      score: (percent) => track.put("setScore", percent),
      commit: () => track.commit() });

    show(Math.max(pages.findIndex((p) => p.id === launch.location), 0), false);
  }

  /* ---- The assessment: draw, answers, scoring, feedback, attempts ---- */

  function assessment(ctx) {
    const { A, strings, st } = ctx;
    const form = $("[data-assessment]");
    const result = $("[data-assessment-result]");
    if (!form || !result) return;
    const fieldsets = A.questions.map((q) => $(`[data-question-id="${q.id}"]`, form));
    const formError = $("[data-form-error]", form);
    const submitButton = $('[type="submit"]', form);
    const retryButton = $('[data-action="retry"]');
    const options = (q) => (q.choices && q.choices.length ? q.choices.map((c) => c.id) : ["true", "false"]);
    const weight = (q) => (typeof q.weight === "number" ? q.weight : 1);
    const inputs = (i) => $$("input", fieldsets[i]);
    const chosen = (i) => inputs(i).filter((x) => x.checked).map((x) => x.value);
    const isCorrect = (q, ids) => ids.length === q.correct.length && ids.every((id) => q.correct.includes(id));
    const drawn = () => st.attempt.d || A.questions.map((q, i) => i);
    const attemptsLeft = () => (A.attempts > 0 ? Math.max(A.attempts - st.attempt.n, 0) : Infinity);
    const canRetry = () => "s" in st.attempt && !ctx.passed() && attemptsLeft() > 0;

    /** A random draw of `A.draw` question indexes, in source order; undefined when all are used. */
    function draw() {
      const order = A.questions.map((q, i) => i);
      if (!(A.draw > 0 && A.draw < order.length)) return undefined;
      for (let i = order.length - 1; i > 0; i -= 1) {
        const j = Math.floor(Math.random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      return order.slice(0, A.draw).sort((x, y) => x - y);
    }
    function newAttempt() {
      st.attempt = { n: st.attempt.n };
      const d = draw();
      if (d) st.attempt.d = d;
    }

    function showResult() {
      const a = st.attempt;
      result.textContent = "";
      if (!("s" in a)) { delete result.dataset.passed; return; }
      const ok = a.s >= A.passMark;
      const left = attemptsLeft();
      result.dataset.passed = String(ok);
      const lines = [
        [A.feedback === "none" ? strings.submitted : "", ""],
        [ok ? strings.passed : strings.failed, "el-verdict"],
        [A.feedback === "none" ? "" : fmt(strings.score, { score: a.s, pass_mark: A.passMark }), ""],
        [ok || left === Infinity ? "" : (left ? fmt(strings.attempts_left, { n: left }) : strings.no_attempts_left), ""],
      ];
      lines.filter(([text]) => text).forEach(([text, className]) => {
        const p = document.createElement("p");
        p.textContent = text;
        p.className = className;
        result.appendChild(p);
      });
    }

    /** Draw the form for the current attempt: drawn questions, numbers, answers and feedback. */
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
        const ids = submitted && k >= 0 ? a.r[k].map((x) => options(q)[x]) : [];
        inputs(i).forEach((x) => { x.checked = ids.includes(x.value); });
        const verdict = submitted && k >= 0 && A.feedback === "immediate" ? (isCorrect(q, ids) ? "correct" : "incorrect") : "";
        if (verdict) fs.dataset.result = verdict; else delete fs.dataset.result;
        $$("[data-feedback]", fs).forEach((f) => { f.hidden = f.dataset.feedback !== verdict; });
      });
      if (submitButton) submitButton.hidden = submitted;
      if (retryButton) retryButton.hidden = !canRetry();
      showResult();
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (st.finished || "s" in st.attempt) return;
      const order = drawn();
      const responses = order.map(chosen);
      const missing = order.map((i, k) => k).filter((k) => !responses[k].length);
      if (formError) formError.hidden = !missing.length;
      if (missing.length) {
        if (formError) formError.textContent = fmt(strings.answer_all, { numbers: missing.map((k) => k + 1).join(", ") });
        inputs(order[missing[0]])[0].focus();
        return;
      }
      const questions = order.map((i) => A.questions[i]);
      const right = questions.map((q, k) => isCorrect(q, responses[k]));
      const total = questions.reduce((sum, q) => sum + weight(q), 0);
      const got = questions.reduce((sum, q, k) => sum + (right[k] ? weight(q) : 0), 0);
      const score = total > 0 ? Math.round((100 * got) / total) : 0;
      const time = new Date();
      questions.forEach((q, k) => ctx.record({
        id: q.id, type: q.interactionType, description: q.description, weight: weight(q), time,
        options: options(q), correct: q.correct, response: responses[k], isCorrect: right[k],
      }));
      st.attempt = Object.assign({}, st.attempt, {
        n: st.attempt.n + 1, s: score, r: responses.map((ids, k) => ids.map((id) => options(questions[k]).indexOf(id))),
      });
      ctx.score(score);
      ctx.report();
      ctx.commit(); // a result is saved at once, not at the next page change
      render();
      result.focus();
    });

    if (retryButton) retryButton.addEventListener("click", () => {
      if (st.finished || !canRetry()) return;
      newAttempt();
      ctx.report();
      render();
      const first = drawn()[0];
      if (first !== undefined && inputs(first).length) inputs(first)[0].focus();
    });

    if (A.draw > 0 && !st.attempt.d && !("s" in st.attempt)) newAttempt();
    render();
  }

  function start() {
    const node = document.getElementById("elearn-data");
    let data = null;
    try { data = JSON.parse(node.textContent); } catch (e) { console.error("elearn: no course data", e); }
    if (data) run(data);
  }

  let begun = false;
  const begin = () => { if (!begun) { begun = true; start(); } };
  if (document.readyState === "complete") begin();
  else {
    document.addEventListener("DOMContentLoaded", begin);
    window.addEventListener("load", begin);
  }
})(window.Elearn = window.Elearn || {});
