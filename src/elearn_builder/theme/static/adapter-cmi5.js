/* adapter-cmi5.js: a cmi5 Assignable Unit (AICC cmi5 "Quartz", sections 8-11) behind the adapter
 * interface of the SCORM adapters (docs/runtime.md), so elearn.js drives it the same way; only
 * start() is asynchronous (it returns a promise). At start it reads the launch parameters (endpoint,
 * fetch, actor, registration, activityId), POSTs once per launch to the fetch URL for the auth token
 * (then "Authorization: Basic <token>" on every call) and keeps it with the session id in
 * sessionStorage (this tab only), so a reload of the page carries on the same session without a second
 * fetch (section 8.2.3: the LMS need not answer one); a failed fetch is reported (failure
 * "lms_token_failed": the status line says so), never a quiet standalone. It reads LMS.LaunchData (contextTemplate, launchMode,
 * moveOn, masteryScore, launchParameters, returnURL; never written) and the cmi5LearnerPreferences
 * Agent Profile, and loads our own State document (STATE_ID) with the bookmark, suspend data and
 * status. The statements (initialized ... terminated) are made by elearn-xapi.js from launch.lrs;
 * this adapter keeps the state: written on commit, and with keepalive on finish. In Browse and Review
 * nothing is written. The masteryScore, when given, replaces the pass mark (launch.passMark). */
(function (Elearn) {
  "use strict";

  const STATE_SUFFIX = "/state/v2";

  /** The launch's organisation: a key of launchParameters given as JSON or as a query string. */
  function organisation(launchParameters) {
    if (!launchParameters) return "";
    try {
      const parsed = JSON.parse(launchParameters);
      if (parsed && typeof parsed.organisation === "string") return parsed.organisation;
    } catch (e) { /* not JSON */ }
    return Elearn.lrs.param("organisation", String(launchParameters).replace(/^\?/, ""));
  }

  /** The cmi5LearnerPreferences document, when the answer is one. */
  function preferences(reply) {
    let doc = null;
    try { doc = reply.status === 200 ? reply.json() : null; } catch (e) { doc = null; }
    return doc && typeof doc === "object" && ("languagePreference" in doc || "audioPreference" in doc) ? doc : null;
  }

  /** This tab's record of a launch (sessionStorage): {auth, sessionId, begun, verdict, ended}. */
  function launchRecord(key) {
    const store = () => { try { return window.sessionStorage; } catch (e) { return null; } };
    return {
      get() { try { return JSON.parse(store().getItem(key)) || null; } catch (e) { return null; } },
      set(changes) {
        const next = Object.assign({}, this.get() || {}, changes);
        try { store().setItem(key, JSON.stringify(next)); } catch (e) { /* no storage: a reload fetches again */ }
        return next;
      },
    };
  }

  /** A reload (or back/forward) of this page, not a new launch: the session goes on. */
  function reloaded() {
    try {
      const nav = window.performance.getEntriesByType("navigation")[0];
      return !!nav && (nav.type === "reload" || nav.type === "back_forward");
    } catch (e) { return false; }
  }

  /** The Authorization of this launch: kept from an earlier page of it, else fetched (once). */
  async function authorize(L, fetchUrl, record) {
    const kept = record.get();
    if (kept && kept.auth && !kept.ended && reloaded()) return { auth: kept.auth, kept };
    try {
      const auth = await L.fetchToken(fetchUrl);
      return { auth, kept: record.set({ auth, sessionId: null, begun: false, verdict: false, ended: false }) };
    } catch (e) {
      if (kept && kept.auth && !kept.ended) return { auth: kept.auth, kept }; // this tab's launch, opened again
      const failed = new Error(e.message);
      failed.failure = "lms_token_failed";
      throw failed;
    }
  }

  (Elearn.adapters = Elearn.adapters || {}).cmi5 = function (data) {
    const L = Elearn.lrs;
    const launch = { endpoint: L.param("endpoint"), fetch: L.param("fetch"), actor: L.agent(L.param("actor")),
      registration: L.param("registration"), activityId: L.param("activityId") };
    if (!launch.endpoint || !launch.fetch || !launch.actor || !launch.registration || !launch.activityId || !data.xapi) return null;
    async function begin(session) {
      const conn = { endpoint: launch.endpoint, actor: launch.actor };
      const record = launchRecord(`elearn-cmi5-launch:${launch.fetch}|${launch.registration}`);
      const { auth, kept } = await authorize(L, launch.fetch, record); // once per launch (section 8.2)
      conn.auth = auth;
      const where = { activityId: launch.activityId, registration: launch.registration,
        stateId: `${data.programme.iri}${STATE_SUFFIX}` };
      const store = L.stateStore(conn, where);
      session.store = store;
      const reply = await store.get("LMS.LaunchData");
      const ld = reply.status === 200 ? reply.json() : null;
      if (!ld || !ld.contextTemplate) throw new Error(`LMS.LaunchData not readable (${reply.status})`);
      const prefs = await L.request(conn, "GET", "agents/profile",
        { query: { agent: JSON.stringify(launch.actor), profileId: "cmi5LearnerPreferences" } });
      const mode = ["Normal", "Browse", "Review"].includes(ld.launchMode) ? ld.launchMode : "Normal";
      session.writable = mode === "Normal";
      const doc = (await store.load()) || {};
      /* completed and passed once per registration (section 9.3): ask the LRS, not only our State document,
         which an LMS may not keep (a second browser then knows nothing); null when the LRS cannot say. */
      const has = async (verb) => {
        const r = await L.request(conn, "GET", "statements", { query: { registration: launch.registration,
          verb: data.xapi.vocabulary.verbs[verb].id, activity: launch.activityId, limit: 1 } });
        let found = null;
        try { found = r.status === 200 ? r.json() : null; } catch (e) { found = null; }
        return found && Array.isArray(found.statements) ? found.statements.length > 0 : null;
      };
      const already = session.writable ? { completed: await has("completed"), passed: await has("passed") } : {};
      session.doc = doc;
      const ext = data.xapi.vocabulary.extensions;
      const mastery = typeof ld.masteryScore === "number" && ld.masteryScore >= 0 && ld.masteryScore <= 1 ? ld.masteryScore : null;
      const template = ld.contextTemplate;
      /* The LMS's session id; an LMS that gives none (the Open edX cmi5 XBlock) gets one per launch, kept for reloads. */
      const sessionId = (template.extensions || {})[ext.session] || kept.sessionId || record.set({ sessionId: L.uuid() }).sessionId;
      return {
        entry: doc.suspendData ? "resume" : "ab-initio",
        location: doc.location || "",
        suspendData: doc.suspendData || "",
        credit: mode === "Normal" ? "credit" : "no-credit",
        mode: mode.toLowerCase(),
        recorded: { completed: !!doc.completed || already.completed === true,
          passed: already.passed === true || (typeof doc.passed === "boolean" ? doc.passed : null) },
        passMark: mastery === null ? null : Math.round(mastery * 10000) / 100,
        learnerPreferences: preferences(prefs), // not an LMS's {"success": true}
        lrs: Object.assign(conn, {
          registration: launch.registration, sessionId, courseId: launch.activityId,
          organisation: organisation(ld.launchParameters) || data.xapi.organisation || "", grouping: [],
          cmi5: { activityId: launch.activityId, contextTemplate: template, launchMode: mode,
            moveOn: ld.moveOn || "NotApplicable", masteryScore: mastery, returnURL: ld.returnURL || "", record, already },
        }),
      };
    }

    return L.stateAdapter("cmi5", "cmi5", false, begin);
  };
})(window.Elearn = window.Elearn || {});
