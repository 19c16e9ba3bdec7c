/* adapter-xapi.js: a Tin Can / xAPI package launched the "tincan" way (RusticiSoftware/launch,
 * lms_lrs.md): endpoint, auth (the Authorization value, used verbatim), actor (also the pre-1.0
 * array form), and optionally registration, activity_id, grouping and our organisation, all from
 * the launch URL. Without a registration the package makes one and keeps it (per endpoint, actor
 * and activity) so every launch of this learner continues the same one. Same interface as the SCORM
 * adapters (docs/runtime.md); start() returns a promise. The bookmark, suspend data and status live in
 * a State document (activity_id or the course IRI, actor, registration, STATE_ID) with a copy in
 * localStorage, which is all there is when the LRS has no State API. Statements: elearn-xapi.js. */
(function (Elearn) {
  "use strict";

  const STATE_SUFFIX = "/state/v2";

  (Elearn.adapters = Elearn.adapters || {}).xapi = function (data) {
    const L = Elearn.lrs;
    const endpoint = L.param("endpoint");
    const auth = L.param("auth");
    const actor = L.agent(L.param("actor"));
    if (!endpoint || !actor || !data.xapi) return null;
    const activityId = L.param("activity_id") || data.xapi.activities.course;

    /** The launch's registration, else the one this learner got on an earlier launch, else a new one. */
    function registration() {
      const given = L.param("registration");
      if (L.isUuid(given)) return given;
      const key = `elearn-registration:${endpoint}|${JSON.stringify(actor)}|${activityId}`;
      const kept = L.local(key);
      if (L.isUuid(kept)) return kept;
      const made = L.uuid();
      L.local(key, made);
      return made;
    }

    async function begin(session) {
      const conn = { endpoint, auth: Promise.resolve(auth), actor, registration: registration() };
      const store = L.stateStore(conn, { activityId, registration: conn.registration, stateId: `${data.programme.iri}${STATE_SUFFIX}` });
      session.store = store;
      const doc = (await store.load()) || {};
      session.doc = doc;
      const grouping = L.param("grouping") ? [{ objectType: "Activity", id: L.param("grouping") }] : [];
      return {
        entry: doc.suspendData ? "resume" : "ab-initio",
        location: doc.location || "",
        suspendData: doc.suspendData || "",
        credit: "credit",
        mode: "normal",
        recorded: { completed: !!doc.completed, passed: typeof doc.passed === "boolean" ? doc.passed : null },
        lrs: Object.assign(conn, { sessionId: L.uuid(), courseId: activityId, grouping,
          organisation: L.param("organisation") || data.xapi.organisation || "" }),
      };
    }

    return L.stateAdapter("xapi", "xAPI", true, begin);
  };
})(window.Elearn = window.Elearn || {});
