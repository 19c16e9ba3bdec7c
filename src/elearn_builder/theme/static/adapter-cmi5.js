/* adapter-cmi5.js: a cmi5 Assignable Unit (AICC cmi5 "Quartz", sections 8-11) behind the adapter
 * interface of the SCORM adapters (docs/runtime.md), so elearn.js drives it the same way; only
 * start() is asynchronous (it returns a promise). At start it reads the launch parameters (endpoint,
 * fetch, actor, registration, activityId), POSTs once to the fetch URL for the auth token (then
 * "Authorization: Basic <token>" on every call), reads LMS.LaunchData (contextTemplate, launchMode,
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

  (Elearn.adapters = Elearn.adapters || {}).cmi5 = function (data) {
    const L = Elearn.lrs;
    const launch = { endpoint: L.param("endpoint"), fetch: L.param("fetch"), actor: L.agent(L.param("actor")),
      registration: L.param("registration"), activityId: L.param("activityId") };
    if (!launch.endpoint || !launch.fetch || !launch.actor || !launch.registration || !launch.activityId || !data.xapi) return null;
    async function begin(session) {
      const conn = { endpoint: launch.endpoint, actor: launch.actor };
      conn.auth = await L.fetchToken(launch.fetch); // once per launch (section 8.2)
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
      session.doc = doc;
      const ext = data.xapi.vocabulary.extensions;
      const mastery = typeof ld.masteryScore === "number" && ld.masteryScore >= 0 && ld.masteryScore <= 1 ? ld.masteryScore : null;
      const template = ld.contextTemplate;
      const sessionId = (template.extensions || {})[ext.session] || L.uuid();
      return {
        entry: doc.suspendData ? "resume" : "ab-initio",
        location: doc.location || "",
        suspendData: doc.suspendData || "",
        credit: mode === "Normal" ? "credit" : "no-credit",
        mode: mode.toLowerCase(),
        recorded: { completed: !!doc.completed, passed: typeof doc.passed === "boolean" ? doc.passed : null },
        passMark: mastery === null ? null : Math.round(mastery * 10000) / 100,
        learnerPreferences: prefs.status === 200 ? prefs.json() : null,
        lrs: Object.assign(conn, {
          registration: launch.registration, sessionId, courseId: launch.activityId,
          organisation: organisation(ld.launchParameters) || data.xapi.organisation || "", grouping: [],
          cmi5: { activityId: launch.activityId, contextTemplate: template, launchMode: mode,
            moveOn: ld.moveOn || "NotApplicable", masteryScore: mastery, returnURL: ld.returnURL || "" },
        }),
      };
    }

    return L.stateAdapter("cmi5", "cmi5", false, begin);
  };
})(window.Elearn = window.Elearn || {});
