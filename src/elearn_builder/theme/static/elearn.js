/* elearn.js: the runtime facade inside every package (contract: docs/runtime.md).
 * Reads the course data (#elearn-data, with Elearn.package from assets/package.js), connects through
 * one adapter (SCORM 1.2, SCORM 2004, cmi5, xAPI, or standalone when no LMS is found), shows one page
 * at a time, bookmarks and resumes, and reports progress, status, score and interactions. The pages'
 * own behaviour lives beside it, each file registering on window.Elearn: elearn-state.js (suspend
 * data v2), elearn-assessment.js, elearn-selfassessment.js (with the gap profile), elearn-cpd.js, and
 * elearn-xapi.js (the xAPI statements, told of pages, answers, results, completion and exit here);
 * the adapters register in Elearn.adapters. The course starts once the document has loaded, so the
 * script order does not matter. Plain ES2017, no dependencies. */
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
      /** The value, or null when the LMS does not give it (an optional element it lacks: 401). */
      tryGet(element) {
        if (state !== "running") return null;
        const result = call("get", [element]);
        return result.ok ? result.value : null;
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

  /* ---- Connecting and reporting ---- */

  /** The format's adapter when its LMS starts a session, else standalone; the status line says which. */
  async function connect(data, say) {
    const lms = adapters[data.format] ? adapters[data.format](data) : null;
    const launch = lms ? await lms.start() : null; // cmi5 and xAPI start asynchronously
    if (launch) {
      say("lms_connected");
      return { adapter: lms, launch };
    }
    const kept = Elearn.save.storable();
    if (lms && lms.failure) say(lms.failure, "warning"); // e.g. lms_token_failed: nothing can be recorded
    else say(`${lms ? "lms_error" : "no_lms"}${kept ? "" : "_no_storage"}`, "warning");
    const adapter = adapters.standalone(data);
    return { adapter, launch: adapter.start() };
  }

  /** Where a SCORM session keeps its backup (elearn-save.js): one per format, course, stage and learner. */
  function backupKey(data, adapter, launch) {
    if (!/^scorm/.test(adapter.name) || !launch.learner || !launch.learner.id) return null;
    return `elearn-lms:${[data.format, data.programme.id, data.stage.id, launch.learner.id].join("|")}`;
  }

  /* ---- The course ---- */

  async function run(data) {
    const strings = data.strings || {};
    const statusLine = $("[data-status]");
    const say = (key, level) => {
      if (!statusLine) return;
      statusLine.textContent = strings[key] || key;
      statusLine.dataset.level = level || "info";
    };

    const { adapter, launch } = await connect(data, say);
    if (launch.lrs) launch.lrs.say = say; // the State document's store tells when the LMS does not confirm it
    /* Between the course and the LMS: retries, and a backup that a later launch restores (elearn-save.js). */
    const track = Elearn.save(adapter, launch, { key: backupKey(data, adapter, launch), say });
    document.documentElement.dataset.elearnAdapter = adapter.name;
    const pages = data.pages;
    const sections = pages.map((p) => document.getElementById(`page-${p.id}`));
    const content = pages.map((p, i) => i).filter((i) => pages[i].kind === "content");
    const A = data.assessment;
    const SA = data.selfAssessment;
    const { saved, reset } = Elearn.state.decode(launch.suspendData, data);
    if (typeof launch.passMark === "number") A.passMark = launch.passMark; // cmi5 masteryScore
    const xapi = Elearn.xapi ? Elearn.xapi.launch(data, launch, saved, say) : null; // null: no LRS (SCORM only)
    const st = {
      current: -1,
      visited: new Set(saved ? saved.visited.map((k) => content[k]) : []),
      sa: saved ? saved.sa : {},
      attempt: saved ? saved.attempt : { n: 0 },
      finished: false,
    };
    const notice = $("[data-state-notice]");
    if (reset && notice) {
      notice.textContent = strings.state_reset;
      notice.hidden = false;
    }
    /* What the LMS already holds is never taken back (a republished course restarts the state, not the record). */
    const recorded = launch.recorded || { completed: false, passed: null };

    const hooks = { collect() {} };
    const submittedOnce = () => st.attempt.n > 0;
    const passed = () => ("s" in st.attempt ? st.attempt.s >= A.passMark : (submittedOnce() ? false : null));
    const visitedContent = () => content.filter((i) => st.visited.has(i));
    function report(showing) {
      hooks.collect();
      const parts = content.length + (SA ? 1 : 0) + 1;
      const done = visitedContent().length + (SA && st.sa.b ? 1 : 0) + (submittedOnce() ? 1 : 0);
      const completed = done === parts || recorded.completed;
      const now = passed();
      const ok = recorded.passed === true ? true : (now === null ? recorded.passed : now);
      track.put("setLocation", pages[st.current].id);
      track.put("setSuspendData", Elearn.state.encode({ visitedContent: visitedContent().map((i) => content.indexOf(i)),
        sa: st.sa, attempt: st.attempt, x: xapi ? xapi.memo() : null }, data));
      st.progress = completed ? 1 : Math.round((10000 * done) / parts) / 10000;
      st.completed = completed;
      track.put("setProgress", st.progress);
      track.put("setStatus", completed, ok);
      if (xapi && !showing) xapi.progress(completed);
    }

    const ctx = {
      data, strings, st, $, $$, passed, report,
      commit: () => track.commit(),
      record(interaction) {
        track.record(interaction);
        if (xapi) xapi.interaction(interaction, st.attempt.n + 1); // the attempt being submitted
      },
      score(percent) {
        track.put("setScore", percent);
        if (xapi) xapi.verdict(percent, percent >= A.passMark, st.attempt.n);
      },
      visitedContent: () => visitedContent().map((i) => pages[i].id),
      retakeSelfAssessment: () => {},
    };
    const none = () => ({ render() {}, retake() {}, collect() {} });
    const assessment = (Elearn.assessment || none)(ctx);
    const selfAssessment = (Elearn.selfAssessment || none)(ctx);
    const record = (Elearn.cpdRecord || none)(ctx);
    hooks.collect = assessment.collect;
    const onShow = { "self-assessment": selfAssessment.render, "cpd-record": record.render };
    const indexOf = (id) => pages.findIndex((p) => p.id === id);
    /* Pages done in earlier sessions count as visited in the contents. */
    if (st.sa.b) st.visited.add(indexOf("self-assessment"));
    if (submittedOnce() || (st.attempt.r || []).some(Elearn.state.answered)) st.visited.add(indexOf("assessment"));

    /* Navigation: one page at a time. */
    const tocLinks = $$("[data-nav-page]");
    const tocTargets = tocLinks.map((link) => indexOf(link.dataset.navPage));
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
      if (onShow[pages[index].kind]) onShow[pages[index].kind]();
      if (focus) {
        window.scrollTo(0, 0);
        const heading = $("h1", sections[index]);
        if (heading) heading.focus();
      }
      report(true);
      if (xapi) {
        xapi.page(pages[index], st.progress);
        xapi.progress(st.completed);
      }
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
    /* Links inside pages (modules to study in the gap profile) go through the same navigation. */
    document.addEventListener("click", (event) => {
      const link = event.target.closest && event.target.closest("[data-goto-page]");
      if (!link || indexOf(link.dataset.gotoPage) < 0) return;
      event.preventDefault();
      show(indexOf(link.dataset.gotoPage), true);
    });
    ctx.retakeSelfAssessment = () => {
      selfAssessment.retake();
      show(indexOf("self-assessment"), true);
    };

    /* Exit: the button or the page going away; once. While the LMS refuses, finishing waits for it
       (elearn-save.js retries); the page going away finishes at once, the backup keeping the rest. */
    function exit(event) {
      const hiding = !!event && event.type === "pagehide";
      if (st.finished) {
        if (hiding) {
          track.finish(true, () => {});
          if (xapi) xapi.queue.exit(); // what the exit button's sending has not delivered yet
        }
        return;
      }
      report();
      if (xapi) xapi.end(st.progress, hiding);
      st.finished = true;
      $$("[data-action]").forEach((b) => { b.disabled = true; });
      track.finish(hiding, (saved) => {
        const lost = !saved && !Elearn.save.storable(); // nowhere left to keep it
        say(saved ? "saved_exit" : (lost ? "exit_no_storage" : "saved_exit_local"), saved ? "info" : "warning");
        if (statusLine) { statusLine.tabIndex = -1; statusLine.focus(); }
      });
    }
    $$('[data-action="exit"]').forEach((b) => b.addEventListener("click", exit));
    window.addEventListener("pagehide", exit);

    /* A restart begins at the first page; a bookmark to a page that no longer exists too. */
    show(reset ? 0 : Math.max(indexOf(launch.location), 0), false);
  }

  function start() {
    const node = document.getElementById("elearn-data");
    let data = null;
    /* format and stateLimit come from assets/package.js: index.html is the same in every format. */
    try {
      data = Object.assign(JSON.parse(node.textContent), Elearn.package);
    } catch (e) { console.error("elearn: no course data", e); }
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
