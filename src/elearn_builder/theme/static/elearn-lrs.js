/* elearn-lrs.js: talking to a Learning Record Store (xAPI 1.0.3), shared by adapter-cmi5.js,
 * adapter-xapi.js and the SCORM packages that are launched with an LRS. Registers Elearn.lrs:
 *   uuid()                 a UUID v4 (crypto.randomUUID, or getRandomValues outside secure contexts)
 *   agent(json)            a 1.0 Agent with exactly one identifier, also from the pre-1.0 array form
 *   request(conn, method, resource, {query, body, keepalive, timeout})  -> {status, text, json()}
 *   fetchToken(url)        POST once to a cmi5 fetch URL or a token URL -> an Authorization value
 *   stateStore(conn, ...)  one JSON State document, mirrored in localStorage (see below)
 *   stateAdapter(name, label, writable, begin)  the adapter interface over that document (cmi5, xapi)
 *   scormConnection(data, learner, memo)  the LRS of a SCORM launch (query, else build settings) or null
 * Credentials only ever come from the launch URL, a token URL, or a build setting the author asked
 * for explicitly: nothing here stores an Authorization value. Plain ES2017, no dependencies. */
(function (Elearn) {
  "use strict";

  const VERSION = "1.0.3";
  const TIMEOUT = 20000;

  function uuid() {
    const c = window.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    const b = c.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  const isUuid = (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(String(v || ""));

  /** A launch query parameter (URL-decoded), or "" when absent. */
  const param = (name, search) => new URLSearchParams(search === undefined ? window.location.search : search).get(name) || "";

  /** An Agent with one Inverse Functional Identifier (account first: LMSs identify learners by account).
   *  Accepts the pre-1.0 form ({"name": ["..."], "mbox": ["mailto:..."], "account": [{accountServiceHomePage,
   *  accountName}]}); null when there is no usable identifier. */
  function agent(raw) {
    let a = raw;
    if (typeof a === "string") { try { a = JSON.parse(a); } catch (e) { return null; } }
    if (!a || typeof a !== "object") return null;
    const first = (v) => (Array.isArray(v) ? v[0] : v);
    const out = { objectType: "Agent" };
    const name = first(a.name);
    if (name) out.name = String(name);
    const account = first(a.account);
    const mbox = first(a.mbox);
    if (account && (account.homePage || account.accountServiceHomePage) && (account.name || account.accountName)) {
      out.account = { homePage: String(account.homePage || account.accountServiceHomePage),
        name: String(account.name || account.accountName) };
    } else if (mbox) out.mbox = /^mailto:/i.test(mbox) ? String(mbox) : `mailto:${mbox}`;
    else if (first(a.mbox_sha1sum)) out.mbox_sha1sum = String(first(a.mbox_sha1sum));
    else if (first(a.openid)) out.openid = String(first(a.openid));
    else return null;
    return out;
  }

  /** Cookies only to the page's own origin (elearn-queue.js decides it for every LRS request). */
  const credentials = (url) => (Elearn.credentialsFor ? Elearn.credentialsFor(url) : "omit");

  /** The endpoint as a base IRI (with its trailing slash). */
  const base = (endpoint) => (/\/$/.test(endpoint) ? endpoint : `${endpoint}/`);

  /** One xAPI request; never throws: a network error or a timeout is status 0. */
  async function request(conn, method, resource, options) {
    const o = options || {};
    const url = new URL(resource, base(conn.endpoint));
    Object.keys(o.query || {}).forEach((k) => { if (o.query[k] != null && o.query[k] !== "") url.searchParams.set(k, o.query[k]); });
    const headers = { "X-Experience-API-Version": VERSION };
    const auth = await conn.auth;
    if (auth) headers.Authorization = auth;
    let body;
    if (o.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = typeof o.body === "string" ? o.body : JSON.stringify(o.body);
    }
    const abort = !o.keepalive && typeof AbortController === "function" ? new AbortController() : null;
    const timer = abort && setTimeout(() => abort.abort(), o.timeout || TIMEOUT);
    try {
      const r = await fetch(url.href, { method, headers, body, keepalive: !!o.keepalive, signal: abort ? abort.signal : undefined,
        cache: "no-store", credentials: credentials(url.href) });
      const text = await r.text();
      return { status: r.status, text, json: () => (text ? JSON.parse(text) : null) };
    } catch (e) {
      return { status: 0, text: String(e), json: () => null };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** POST to a cmi5 fetch URL (once: cmi5 section 8.2) or an LMS token URL: {"auth-token": t} gives
   *  "Basic t"; {"authorization": v} or {"auth": v} gives v. Rejects with the LMS's error text. */
  async function fetchToken(url) {
    const r = await fetch(url, { method: "POST", cache: "no-store", credentials: credentials(url) });
    const body = await r.json();
    if (r.status === 200 && body && body["auth-token"]) return `Basic ${body["auth-token"]}`;
    if (r.status === 200 && body && (body.authorization || body.auth)) return String(body.authorization || body.auth);
    throw new Error(`no auth token from ${url}: ${r.status} ${body && (body["error-text"] || body["error-code"]) || ""}`);
  }

  /** A State document of ours: an object stamped with its save time `t` (ms). */
  const ours = (d) => !!d && typeof d === "object" && !Array.isArray(d) && typeof d.t === "number";

  function local(key, value) {
    try {
      if (value === undefined) return JSON.parse(window.localStorage.getItem(key));
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* no storage (private window, full): the LRS copy is all there is */ }
    return null;
  }

  /** One JSON State document (activityId + agent + registration + stateId) with a copy in
   *  localStorage, so a tab closed before the PUT arrived, or an LRS without a State API (Ralph),
   *  still resumes. Each save stamps `t` (ms); load() returns the newer copy. Writes are serialised. */
  function stateStore(conn, where) {
    const query = { activityId: where.activityId, agent: JSON.stringify(conn.actor), registration: where.registration,
      stateId: where.stateId };
    const key = `elearn-state:${conn.endpoint}|${where.activityId}|${JSON.stringify(conn.actor)}|${where.registration || ""}|${where.stateId}`;
    let api = true; // false once the LRS shows it has no State API (404/405/501 on PUT)
    let writing = null;
    let next = null;
    let told = false;
    async function put(doc, keepalive) {
      const r = await request(conn, "PUT", "activities/state", { query, body: doc, keepalive });
      if ([404, 405, 501].includes(r.status)) api = false;
      const stored = r.status === 204; // the State API's answer to a stored document; a 200 ({"success": true}) is not
      if (!stored && r.status >= 200 && r.status < 300 && !told && conn.say) { // kept here, PUT again at the next save
        told = true;
        conn.say("state_unconfirmed", "warning");
      }
      return stored;
    }
    async function drain() {
      while (next) {
        const doc = next;
        next = null;
        await put(doc, false);
      }
      writing = null;
    }
    return {
      key,
      async load() {
        const r = await request(conn, "GET", "activities/state", { query });
        let remote = null;
        if (r.status === 200) { try { remote = r.json(); } catch (e) { remote = null; } }
        const mirror = local(key);
        const t = (d) => (ours(d) ? d.t : -1);
        if (!ours(remote)) remote = null; // an LMS answering {"success": true} does not hold our document
        return t(mirror) > t(remote) ? mirror : remote;
      },
      /** Stores a copy at once and PUTs it (the latest only, one request at a time); `keepalive` at exit. */
      save(doc, keepalive) {
        const stamped = Object.assign({}, doc, { t: Date.now() });
        local(key, stamped);
        if (!api) return Promise.resolve(true);
        if (keepalive) return put(stamped, true);
        next = stamped;
        if (!writing) writing = drain();
        return writing;
      },
      get(stateId) { // another document of the same activity, agent and registration (LMS.LaunchData)
        return request(conn, "GET", "activities/state", { query: Object.assign({}, query, { stateId }) });
      },
    };
  }

  /** The adapter interface of docs/runtime.md for the formats whose only tracking is xAPI (cmi5, xapi):
   *  the bookmark, suspend data, progress, score and status go into one State document, saved on
   *  commit and with keepalive on finish; interactions travel in the statements (elearn-xapi.js).
   *  `begin(session)` is the launch: it sets `session.store` (a stateStore), `session.doc` (what it
   *  loaded) and `session.writable` (nothing is kept or written while false), and resolves to what
   *  start() gives; a failed launch is logged with `label` and gives null. */
  function stateAdapter(name, label, writable, begin) {
    const session = { store: null, doc: {}, writable };
    const keep = (changes) => { if (session.writable) Object.assign(session.doc, changes); return true; };
    const save = (keepalive) => {
      if (session.writable && session.store) session.store.save(session.doc, keepalive);
      return true;
    };
    const adapter = {
      name,
      failure: null, // after a failed start: the status line's key, when the launch knows better than lms_error
      start() {
        return begin(session).catch((e) => {
          console.warn(`elearn: ${label} launch failed: ${e.message}`);
          adapter.failure = e.failure || null;
          return null;
        });
      },
      setLocation: (pageId) => keep({ location: pageId }),
      setSuspendData: (text) => keep({ suspendData: text }),
      setProgress: (measure) => keep({ progress: measure }),
      setScore: (percent) => keep({ score: percent }),
      setStatus: (completed, passed) => keep({ completed: !!completed, passed }),
      recordInteraction: () => true, // the statements carry them (elearn-xapi.js)
      commit: () => save(false),
      finish: () => save(true),
    };
    return adapter;
  }

  /** The origin of a URL ("" when it is not an http(s) URL). */
  function origin(url) {
    try {
      const u = new URL(url, window.location.href);
      return /^https?:$/.test(u.protocol) ? u.origin : "";
    } catch (e) { return ""; }
  }

  /** The LRS of a SCORM launch: `endpoint` and `auth` (or `token_url`) from the launch URL, else from
   *  the build settings (data.xapi.lrs: endpoint, tokenUrl, origins, and auth only when the author
   *  embedded it). The launch URL is not trusted: an endpoint it names is used only when its origin is
   *  one the build allows (origins, and the build's endpoint); else {refused: status key}, and nothing is
   *  sent. With no origins allowed, such an endpoint may come with its own `auth` only: never with a
   *  token URL (the POST carries the LMS's cookie) or the build's credential.
   *  The actor is the launch's `actor`, else an account made of the LMS's learner id; the registration
   *  the launch's, else the one kept in suspend data (memo.r), else a new one. */
  function scormConnection(data, learner, memo) {
    const X = data.xapi;
    if (!X) return null;
    const settings = X.lrs || {};
    const named = param("endpoint");
    const endpoint = named || settings.endpoint;
    if (!endpoint) return null;
    const allowed = (settings.origins || []).concat(settings.endpoint ? [origin(settings.endpoint)] : []);
    const trusted = !named || (origin(named) !== "" && allowed.indexOf(origin(named)) >= 0);
    const wanted = param("token_url") || settings.tokenUrl || settings.auth;
    if (!trusted && (allowed.length || !origin(named) || (wanted && !param("auth")))) return { refused: "lrs_refused" };
    const tokenUrl = trusted ? param("token_url") || settings.tokenUrl : ""; // never cmi5's one-time fetch URL
    const given = trusted ? param("auth") || settings.auth : param("auth");
    if (!given && !tokenUrl) return null;
    let actor = agent(param("actor"));
    if (!actor && learner && learner.id) {
      const referrer = document.referrer ? new URL(document.referrer).origin : window.location.origin;
      actor = { objectType: "Agent", account: { homePage: param("homepage") || referrer, name: String(learner.id) } };
      if (learner.name) actor.name = String(learner.name);
    }
    if (!actor) return null;
    const registration = isUuid(param("registration")) ? param("registration") : (isUuid(memo && memo.r) ? memo.r : uuid());
    const auth = given ? Promise.resolve(given) : fetchToken(tokenUrl);
    auth.catch((e) => console.warn(`elearn: ${e.message}`));
    return { endpoint, auth, actor, registration, sessionId: uuid(), organisation: param("organisation") || X.organisation || "",
      grouping: param("grouping") ? [{ objectType: "Activity", id: param("grouping") }] : [] };
  }

  Elearn.lrs = { VERSION, uuid, isUuid, param, agent, request, fetchToken, stateStore, stateAdapter, scormConnection,
    local };
})(window.Elearn = window.Elearn || {});
