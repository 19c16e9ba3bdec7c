/* elearn-xapi.js: the programme's xAPI statements (docs/statements.md, xapi_profiles/). Registers
 * Elearn.xapi(data, conn, options) -> tracker. Verbs, activity types and extensions come from the
 * course data's vocabulary (data.xapi, taken from the profile at build time), activity ids from its
 * IRI patterns; nothing here names a verb or extension IRI. Each statement gets its UUID and its
 * timestamp (UTC, ms, strictly increasing) when it is made, and goes straight to the sink (the durable
 * queue). conn: {actor, registration, sessionId, courseId, organisation, grouping[], cmi5?}; with cmi5
 * ({activityId, contextTemplate, launchMode, moveOn, masteryScore, returnURL}) the statements follow
 * cmi5 (section 9): context from the contextTemplate (never overwritten), the cmi5-defined ones
 * (initialized, completed, passed/failed, terminated) on the launch activityId with the cmi5 category
 * (+ moveon when the result has success or completion), all others "allowed" (no cmi5 category);
 * Browse and Review send initialized and terminated only; one passed-or-failed per session and none
 * after passed: a failed verdict waits for the end of the session (a later pass in the same session
 * replaces it) unless no attempt is left. elearn.js calls Elearn.xapi.launch(...) (the tracker, begun,
 * with its durable queue: elearn-queue.js), then: page(page, progress) · interaction(i, attempt) ·
 * verdict(score, passed, attempt) · progress(completed) · end(progress, hiding) · memo() -> {r, k}
 * for the suspend data. Plain ES2017, no dependencies. */
(function (Elearn) {
  "use strict";

  const copy = (x) => JSON.parse(JSON.stringify(x));
  const fill = (pattern, id) => pattern.split("{id}").join(id);
  const list = (x) => (Array.isArray(x) ? x : (x ? [x] : []));
  const pct = (measure) => Math.max(0, Math.min(100, Math.round(100 * (measure || 0))));

  /** ISO 8601 duration to the hundredth of a second: PT1H5M30.25S, PT0S. */
  function duration(ms) {
    const cs = Math.max(Math.round(ms / 10), 0);
    const h = Math.floor(cs / 360000);
    const m = Math.floor(cs / 6000) % 60;
    const s = (cs % 6000) / 100;
    return `PT${h ? `${h}H` : ""}${m ? `${m}M` : ""}${s || !(h || m) ? `${s}S` : ""}`;
  }

  /** The xAPI response and pattern formats (the SCORM 2004 ones): ids joined with [,], pairs with [.]. */
  function responseOf(q, value) {
    if (q.interactionType === "likert" || typeof value === "string") return String(value);
    if (q.interactionType === "matching") return value.map((pair) => pair.join("[.]")).join("[,]");
    return value.join("[,]");
  }
  function patternsOf(q) {
    if (q.type === "long-fill-in") return [];
    if (q.type === "fill-in") return q.accepted.map((a) => `{case_matters=${!!q.caseMatters}}${a}`);
    if (q.type === "matching") return [q.correct.map((pair) => pair.join("[.]")).join("[,]")];
    return [q.correct.join("[,]")];
  }

  Elearn.xapi = function (data, conn, options) {
    const o = options || {};
    const X = data.xapi;
    const V = X.vocabulary;
    const A = X.activities;
    const E = V.extensions;
    const T = V.activityTypes;
    const lang = data.programme.language || "en-GB";
    const cmi5 = conn.cmi5 || null;
    const quiet = !!cmi5 && cmi5.launchMode !== "Normal"; // Browse, Review: initialized and terminated only
    /* cmi5's own categories and masteryscore extension sit beside its sessionid extension in the vocabulary. */
    const cmi5Base = E.session.replace(/extensions\/sessionid$/, "");
    const sink = o.sink || (() => {});
    const began = Date.now();
    const SA = data.selfAssessment;
    const Q = data.assessment;

    const lm = (text) => ({ [lang]: String(text) });
    const activity = (id, type, name, more) => ({ objectType: "Activity", id, definition: Object.assign({ type, name: lm(name) }, more || {}) });
    const title = `${data.programme.title}: ${data.stage.title}`;
    const course = activity(A.course, T.course, title);
    const courseObject = activity(cmi5 ? cmi5.activityId : (conn.courseId || A.course), T.course, title);
    const keyArea = (id) => activity(fill(A.keyArea, id), T["key-area"], id);
    const module = (id) => { const m = data.modules.find((x) => x.id === id); return m && activity(fill(A.module, id), T.module, m.title); };

    let last = 0;
    function stamp() {
      let t = Date.now();
      if (t <= last) t = last + 1;
      last = t;
      return new Date(t).toISOString();
    }

    /** The context: cmi5's template first, every value of it kept as it is (section 9.6.2: registration,
     *  extensions, context activities), then ours merged under it (added where the template has none). */
    function context(c) {
      const out = cmi5 ? copy(cmi5.contextTemplate || {}) : {};
      if (!out.registration) out.registration = conn.registration;
      if (!out.language) out.language = lang;
      const ca = out.contextActivities = out.contextActivities || {};
      Object.keys(ca).forEach((k) => { ca[k] = list(ca[k]); });
      const add = (k, items) => {
        const known = new Set((ca[k] || []).map((a) => a && a.id));
        const fresh = items.filter((a) => !known.has(a.id));
        if (fresh.length) ca[k] = (ca[k] || []).concat(fresh);
      };
      const categories = c.defined ? [{ id: `${cmi5Base}categories/cmi5` }] : [];
      if (c.defined && c.moveon) categories.push({ id: `${cmi5Base}categories/moveon` });
      add("category", categories.concat([copy(V.category)]));
      add("grouping", (c.grouping ? [course] : []).concat(cmi5 ? [] : conn.grouping || []));
      add("parent", list(c.parent));
      add("other", list(c.other));
      const ext = { [E.stage]: data.stage.id, [E.session]: conn.sessionId };
      if (conn.organisation) ext[E.organisation] = conn.organisation;
      out.extensions = Object.assign(ext, c.extensions || {}, out.extensions || {});
      return out;
    }

    const made = []; // the ids of this page's statements, in order
    /** Makes a statement and queues it; cmi5's completed and passed (once per registration) are checked
     *  against the LRS before they leave (elearn-queue.js, {once: true}). */
    function send(verb, object, ctx, result) {
      const s = { id: Elearn.lrs.uuid(), actor: conn.actor, verb: copy(V.verbs[verb]), object, context: context(ctx), timestamp: stamp() };
      if (result) s.result = result;
      made.push(s.id);
      sink(s, { once: !!cmi5 && !!ctx.defined && (verb === "completed" || verb === "passed") });
      return s;
    }

    /* ---- what the session has done ---- */
    let completed = null; // unknown until the first progress()
    const record = cmi5 && cmi5.record ? cmi5.record : { get: () => null, set: () => null }; // this tab's launch
    const already = (cmi5 && cmi5.already) || {}; // what the LRS has for the registration: {completed, passed}
    let verdictSent = !!(record.get() || {}).verdict || !!already.passed; // a cmi5-defined verdict (session; passed: registration)
    let failedLater = (record.get() || {}).failedLater || null; // a cmi5-defined failed waiting for the session's end
    let ended = false;
    let saShown = began;
    let attemptStart = null;
    let saCount = o.memo && Number.isInteger(o.memo.k) ? o.memo.k : 0;
    let ratings = [];
    const mastery = cmi5 && typeof cmi5.masteryScore === "number" ? { [`${cmi5Base}extensions/masteryscore`]: cmi5.masteryScore } : {};

    /** The session's start; a reload of a cmi5 launch carries on its session (no second initialized). */
    function begin(resumed) {
      if ((record.get() || {}).begun) return;
      send("initialized", courseObject, { defined: !!cmi5 });
      record.set({ begun: true });
      if (resumed && !quiet) send("resumed", courseObject, {});
    }

    function page(p, progress) {
      if (p.kind === "self-assessment") saShown = Date.now();
      if (p.kind === "assessment" && attemptStart === null) attemptStart = Date.now();
      if (quiet) return;
      const m = p.module ? data.modules.find((x) => x.id === p.module) : null;
      const extensions = m && m.pcfDomains && m.pcfDomains.length ? { [E["pcf-domains"]]: m.pcfDomains.slice() } : {};
      send("experienced", activity(fill(A.page, p.id), T.lesson, p.title),
        { grouping: true, parent: m ? module(m.id) : course, extensions },
        { extensions: { [E.progress]: pct(progress) } });
    }

    function rating(i) {
      const s = SA.statements.find((x) => x.id === i.id);
      if (!s) return;
      ratings.push(i);
      const extensions = { [E["key-area"]]: s.keyArea };
      if (s.pcfDomains && s.pcfDomains.length) extensions[E["pcf-domains"]] = s.pcfDomains.slice();
      extensions[E.attempt] = saCount + 1;
      send("answered", activity(fill(A.statement, s.id), T["self-assessment-statement"], s.id, {
        interactionType: "likert", description: lm(s.text),
        scale: SA.scale.map((label, k) => ({ id: String(k + 1), description: lm(label) })),
      }), { grouping: true, parent: activity(A.selfAssessment, T["self-assessment"], SA.title), other: keyArea(s.keyArea), extensions },
      { response: String(i.response) });
      if (ratings.length === SA.statements.length) selfAssessed();
    }

    function selfAssessed() {
      const digits = SA.statements.map((s) => { const r = ratings.find((i) => i.id === s.id); return r ? String(r.response) : "0"; }).join("");
      ratings = [];
      saCount += 1;
      const scores = {};
      const expected = {};
      const gaps = {};
      const profile = Elearn.gapProfile ? Elearn.gapProfile(data, digits) : [];
      profile.filter((a) => a.score >= 1).forEach((a) => {
        scores[a.id] = a.score;
        if (a.expected >= 1) expected[a.id] = a.expected;
        gaps[a.id] = a.gap;
      });
      send("self-assessed", activity(A.selfAssessment, T["self-assessment"], SA.title),
        { grouping: true, parent: course, other: data.keyAreas.map((a) => keyArea(a.id)), extensions: { [E.attempt]: saCount } },
        { completion: true, duration: duration(Date.now() - saShown),
          extensions: { [E.scores]: scores, [E["expected-levels"]]: expected, [E.gaps]: gaps } });
    }

    /** One recorded interaction: a self-assessment rating (likert) or an answer to a question. */
    function interaction(i, attempt) {
      if (quiet) return;
      if (i.type === "likert") { if (SA) rating(i); return; }
      const q = i.question || Q.questions.find((x) => x.id === i.id); // i.question: a check against criteria
      if (!q) return;
      const def = { interactionType: q.interactionType, description: lm(q.description) };
      const parts = (items) => items.map((c) => ({ id: c.id, description: lm(c.text) }));
      if (q.type === "matching") Object.assign(def, { source: parts(q.sources), target: parts(q.targets) });
      else if (q.choices && q.interactionType !== "true-false") def.choices = parts(q.choices);
      const patterns = patternsOf(q);
      if (patterns.length) def.correctResponsesPattern = patterns;
      const extensions = { [E["key-area"]]: q.keyArea };
      if (q.pcfDomains && q.pcfDomains.length) extensions[E["pcf-domains"]] = q.pcfDomains.slice();
      Object.assign(extensions, { [E.bank]: q.bank, [E.attempt]: attempt });
      const result = { response: responseOf(q, i.response) };
      if (typeof i.isCorrect === "boolean") result.success = i.isCorrect;
      send("answered", activity(fill(A.question, q.id), T.interaction, q.id, def),
        { grouping: true, parent: activity(A.assessment, T.assessment, Q.title), other: keyArea(q.keyArea), extensions }, result);
    }

    /** A submitted attempt: passed or failed on the assessment, and cmi5's verdict on the AU. */
    function verdict(score, passed, attempt) {
      if (quiet) return;
      const result = () => ({ score: { scaled: score / 100, raw: score, min: 0, max: 100 }, success: !!passed,
        duration: duration(Date.now() - (attemptStart === null ? began : attemptStart)) });
      const extensions = Object.assign({ [E.attempt]: attempt }, mastery);
      send(passed ? "passed" : "failed", activity(A.assessment, T.assessment, Q.title), { grouping: true, extensions }, result());
      if (cmi5 && !verdictSent) {
        const left = Q.attempts > 0 ? Q.attempts - attempt : Infinity;
        const au = { defined: true, moveon: true, grouping: true, extensions };
        if (passed) {
          failedLater = null;
          verdictSent = true;
          record.set({ verdict: true, failedLater: null });
          send("passed", courseObject, au, result());
        } else if (left <= 0) {
          failedLater = null;
          verdictSent = true;
          record.set({ verdict: true, failedLater: null });
          send("failed", courseObject, au, result());
        } else failedLater = [au, result()];
        record.set({ failedLater });
      }
      attemptStart = Date.now(); // a retry starts from here, on the same page
    }

    /** After every save: completed once, when it becomes true in this session. */
    function progress(done) {
      if (completed === null) { completed = !!done; return; }
      if (!done || completed) return;
      completed = true;
      if (already.completed) return; // the registration has its cmi5 completed (another browser, an earlier launch)
      if (!quiet) send("completed", courseObject, { defined: !!cmi5, moveon: true }, { completion: true, duration: duration(Date.now() - began) });
    }

    /** The session's last statements (suspended, terminated); `hiding` when the page is going away. A cmi5
     *  page going away may be a reload, which carries on the session with the same token: it sends what is
     *  queued and the session's verdict, and leaves suspended and terminated to the exit button (closed for
     *  good, the LMS abandons the session: section 9.3.7). */
    function end(measure, hiding) {
      if (ended) return Promise.resolve();
      ended = true;
      if (cmi5 && hiding) return o.onEnd ? o.onEnd(hiding) : Promise.resolve(); // a waiting failure waits on
      if (failedLater && !verdictSent) send("failed", courseObject, failedLater[0], failedLater[1]);
      record.set({ ended: true });
      const result = () => ({ duration: duration(Date.now() - began), extensions: { [E.progress]: pct(measure) } });
      if (!quiet) send("suspended", courseObject, {}, result());
      send("terminated", courseObject, { defined: !!cmi5 }, result());
      return o.onEnd ? o.onEnd(hiding) : Promise.resolve();
    }

    return { begin, page, interaction, verdict, progress, end, memo: () => ({ r: conn.registration, k: saCount }),
      made: () => made.slice() };
  };

  /** The tracker for elearn.js's launch, begun (initialized, and resumed when saved state came back),
   *  or null: cmi5 and xAPI launches bring their LRS (launch.lrs); other formats have one only when the
   *  launch URL or the build names it (Elearn.lrs.scormConnection). */
  Elearn.xapi.launch = function (data, launch, saved, say) {
    const memo = saved && saved.x;
    let conn = data.xapi && (launch.lrs || Elearn.lrs.scormConnection(data, launch.learner, memo));
    if (conn && conn.refused) say(conn.refused, "warning"); // an LRS the build does not allow: nothing sent
    if (!conn || conn.refused) return null;
    if (conn.cmi5 && conn.cmi5.returnURL && !Elearn.xapi.followable(conn.cmi5.returnURL)) {
      conn = Object.assign({}, conn, { cmi5: Object.assign({}, conn.cmi5, { returnURL: "" }) });
      say("return_refused", "warning"); // a javascript: (or other) returnURL is never followed
    }
    let trouble = false; // the status line told of a problem: it tells when it is over
    const tracker = Elearn.xapi.start(data, conn, { memo,
      onStatus(info) {
        const problem = info.unconfirmed && info.state === "needs-attention" ? "lrs_unconfirmed"
          : { "needs-attention": "lrs_attention", waiting: "lrs_waiting" }[info.state];
        if (problem) {
          trouble = true;
          say(info.durable === false && info.pending ? "lrs_volatile" : problem, "warning");
        } else if (trouble && info.state === "idle") {
          trouble = false;
          say("lrs_sent");
        }
      } });
    tracker.begin(!!saved);
    return tracker;
  };

  /** A cmi5 returnURL as an absolute http(s) URL, or "" for anything else (javascript:, data: ...): the
   *  launch data comes from whatever endpoint the launch link names, so only web addresses are followed. */
  Elearn.xapi.followable = function (value) {
    try {
      const url = new URL(String(value || ""), window.location.href);
      return /^https?:$/.test(url.protocol) && value ? url.href : "";
    } catch (e) { return ""; }
  };

  /** Whether the LRS has a statement with this one's verb about its object in its registration: true, false,
   *  or null when the answer is not a StatementResult (an LMS answering {"success": true}, an error). */
  Elearn.xapi.already = function (conn, s) {
    return Elearn.lrs.request(conn, "GET", "statements", { query: { registration: s.context.registration,
      verb: s.verb.id, activity: s.object.id, limit: 1 } }).then((r) => {
      let found = null;
      try { found = r.status === 200 ? r.json() : null; } catch (e) { found = null; }
      return found && Array.isArray(found.statements) ? found.statements.length > 0 : null;
    });
  };

  /** The tracker of a launch with an LRS, its statements going through a durable queue (flushed at
   *  once: statements earlier pages left behind go first). onStatus(info) hears the queue's state.
   *  At the end, cmi5's returnURL is followed once the queue is sent (or after 5 s). */
  Elearn.xapi.start = function (data, conn, options) {
    const o = options || {};
    const queue = Elearn.queue({ endpoint: conn.endpoint, registration: conn.registration, auth: conn.auth,
      onChange: o.onStatus, transport: o.transport, already: conn.cmi5 ? (s) => Elearn.xapi.already(conn, s) : null });
    const tracker = Elearn.xapi(data, conn, {
      memo: o.memo,
      sink: (s, how) => queue.add(s, how),
      onEnd(hiding) {
        if (hiding) return queue.exit();
        const sent = queue.flush();
        const back = conn.cmi5 && Elearn.xapi.followable(conn.cmi5.returnURL);
        if (!back) return sent;
        const wait = new Promise((resolve) => setTimeout(resolve, 5000));
        return Promise.race([sent, wait]).then(() => { window.location.assign(back); });
      },
    });
    tracker.queue = queue;
    queue.flush();
    Elearn.active = { tracker, queue, conn };
    return tracker;
  };
})(window.Elearn = window.Elearn || {});
