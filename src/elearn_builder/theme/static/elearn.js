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

  /** The object `name` in `win` or one of its parents (at most `depth` levels up), and the top reached. */
  function findIn(win, name, depth) {
    for (let level = 0; win && level <= depth; level += 1) {
      try { if (win[name]) return { api: win[name], top: win }; } catch (e) { /* a frame of another origin: keep climbing */ }
      if (!win.parent || win.parent === win) break;
      win = win.parent;
    }
    return { api: null, top: win };
  }

  /** The API up `parent`, else up the `opener` of the window at the top (a popup an LMS opened), else null. */
  function find(name, depth) {
    const here = findIn(window, name, depth);
    if (here.api) return here.api;
    let opener = null;
    try { opener = (here.top && here.top.opener) || window.opener; } catch (e) { /* another origin */ }
    return opener ? findIn(opener, name, depth).api : null;
  }

  /** A session with the LMS object `name`, or null; `calls` maps roles to the edition's function names
   *  (docs/runtime.md, Calls). No call before init or after finish; a call that throws counts as refused
   *  (101); GetLastError only after a "false"; reads kept; no write of a value the LMS holds, no commit
   *  with nothing written; `readonly` (review, browse): no write, no commit. */
  Elearn.connect = function (name, calls, depth) {
    const api = find(name, depth);
    if (!api) return null;
    let state = "new";
    const known = {}; // element -> the value the LMS holds, as read or written this session
    let unsaved = false; // written since the last commit the LMS took
    function call(role, args) {
      try {
        const value = api[calls[role]].apply(api, args);
        return value == null ? "" : String(value);
      } catch (e) { return null; } // gone, or no such method
    }
    /** The error code of a call that answered "false" (or threw: 101), logged with its text. */
    function refused(role, args, value) {
      let code = "101";
      let text = "";
      if (value !== null) {
        try { code = String(api[calls.error]()); } catch (e) { /* keep 101 */ }
        try { text = String(api[calls.errorString](code)); } catch (e) { /* the code says enough */ }
      }
      console.warn(`elearn: ${calls[role]}(${args.join(", ")}) failed: ${code} ${text}`);
      return code;
    }
    const lms = {
      readonly: false,
      init() {
        if (state !== "new") return false;
        const value = call("init", [""]);
        if (value !== "true") { refused("init", [""], value); return false; }
        state = "running";
        return true;
      },
      get(element) {
        if (state !== "running") return "";
        if (!(element in known)) known[element] = call("get", [element]) || "";
        return known[element];
      },
      /** true once the LMS holds `value` (or refuses it for good: a data model error, 4xx, logged, never
       *  tried again); false when it refused for now (a general failure, an API that threw): try later. */
      set(element, value) {
        const text = String(value);
        if (state !== "running") return false;
        if (lms.readonly || known[element] === text) return true;
        const answer = call("set", [element, text]);
        if (answer === "true") { known[element] = text; unsaved = true; return true; }
        return answer !== null && /^4\d\d$/.test(refused("set", [element, text], answer));
      },
      /** Commits what was written since the last commit (nothing written: no call). */
      commit() {
        if (state !== "running") return false;
        if (lms.readonly || !unsaved) return true;
        const answer = call("commit", [""]);
        if (answer === "true") unsaved = false;
        return answer === "true" || (refused("commit", [""], answer) && false);
      },
      finish() {
        if (state !== "running") return false;
        state = "finished";
        const answer = call("finish", [""]);
        return answer === "true" || (refused("finish", [""], answer) && false);
      },
    };
    return lms;
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
    if (!/^scorm/.test(adapter.name) || launch.review || !launch.learner || !launch.learner.id) return null;
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
    /* The interactions the LMS holds: cmi.interactions._count, or the count in the suspend data it gave when
       larger (an LMS may answer "" for _count, or keep our state but not count what it was given). */
    const held = Math.max(launch.interactions || 0, Elearn.state.decode(launch.suspendData, data).next || 0);
    if (launch.lrs) launch.lrs.say = say; // the State document's store tells when the LMS does not confirm it
    /* Between the course and the LMS: retries, and a backup that a later launch restores (elearn-save.js). */
    const track = Elearn.save(adapter, launch, { key: backupKey(data, adapter, launch), held, say });
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
      next: Math.max(held, saved ? saved.next : 0), // the index of the next interaction
      given: -1, // the progress last given to the LMS
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
    let markDone = () => {}; // the ticks in the contents (below, once the links are found)
    function report(showing) {
      hooks.collect();
      const parts = content.length + (SA ? 1 : 0) + 1;
      const done = visitedContent().length + (SA && st.sa.b ? 1 : 0) + (submittedOnce() ? 1 : 0);
      const completed = done === parts || recorded.completed;
      const now = passed();
      const ok = recorded.passed === true ? true : (now === null ? recorded.passed : now);
      track.put("setLocation", pages[st.current].id);
      track.put("setSuspendData", Elearn.state.encode({ visitedContent: visitedContent().map((i) => content.indexOf(i)),
        sa: st.sa, attempt: st.attempt, next: st.next, x: xapi ? xapi.memo() : null }, data));
      st.progress = completed ? 1 : Math.round((10000 * done) / parts) / 10000;
      st.completed = completed;
      /* A page moves progress by a step: it is given to the LMS once it has moved by a tenth, and exactly at
         a submission, at completion and at exit (one call fewer on most pages). */
      if (!showing || completed || Math.floor(10 * st.progress) !== Math.floor(10 * st.given)) {
        track.put("setProgress", st.progress);
        st.given = st.progress;
      }
      track.put("setStatus", completed, ok);
      if (xapi && !showing) xapi.progress(completed);
      markDone();
    }

    const ctx = {
      data, strings, st, $, $$, passed, report,
      commit: () => track.commit(),
      record(interaction, attempt) {
        track.record(Object.assign({ n: st.next }, interaction));
        st.next += 1;
        if (xapi) xapi.interaction(interaction, attempt || st.attempt.n + 1); // else the attempt being submitted
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
        if (tocTargets[l] === index) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
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
    /* A tick for a page seen, and for the self-assessment and the assessment once submitted (not when opened). */
    const isDone = { "self-assessment": () => !!st.sa.b, assessment: submittedOnce };
    markDone = () => tocLinks.forEach((link, l) => {
      const i = tocTargets[l];
      const kind = i >= 0 ? pages[i].kind : "";
      if ("visited" in link.dataset || !(isDone[kind] ? isDone[kind]() : st.visited.has(i))) return;
      link.dataset.visited = "";
      const note = document.createElement("span");
      note.className = "el-sr-only";
      note.textContent = ` ${(isDone[kind] ? strings.done : strings.visited) || ""}`;
      link.appendChild(note);
    });
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
