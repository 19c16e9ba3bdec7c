/* elearn-queue.js: the durable statement queue. Registers Elearn.queue(options) -> queue.
 * Every statement is written to localStorage the moment it is added (one list per endpoint and
 * registration), sent in batches (POST of an array, X-Experience-API-Version 1.0.3, the launch's
 * Authorization) and removed only when the LRS confirms it has these statements:
 *   POST 200 whose body is the JSON array of the ids sent, or 204 (every one known: Ralph's duplicates),
 *   PUT ?statementId= 204, 409 for a single statement (a duplicate id)  -> confirmed, removed
 *   POST 200 with any other body (an LMS answering {"success": true})  -> not confirmed: kept, and sent again
 *                                                                      one by one with PUT ?statementId=
 *                                                                      (the queue stays in "put" mode)
 *   PUT 200, or any other 2xx                                          -> not confirmed: kept, "needs-attention"
 *                                                                      (onChange says unconfirmed: true)
 *   network error, timeout, 408, 429, 5xx                           -> kept, retried with exponential back-off
 *   401 / 403, other 4xx                                            -> kept, state "needs-attention" (tried again
 *                                                                      on the next add() or flush(), or after `max`)
 *   400 / 409 / 413 for a batch                                     -> sent one by one to find the culprit
 *   400 / 413 for one statement                                     -> moved aside (kept, key + "|rejected")
 * A statement keeps its id for ever, so sending it again is harmless. flush() on start sends what
 * earlier pages left; exit() sends what is left with fetch keepalive when the page goes away (the
 * copy in storage stays until a later page sees it confirmed). A list that cannot be stored (no
 * storage, quota) is kept in memory for the page's life. add(statement, {once: true}) marks a statement the
 * LRS must not get twice in the registration (cmi5 completed, passed): before it is sent, o.already(statement)
 * -> Promise<true|false|null> is asked, and on true it is dropped (null: the LRS cannot say, it is sent).
 * options: {endpoint, registration, auth
 * (value or promise), transport(url, init) -> Promise<{status, body}> (tests; body: the answer's text),
 * batch, timeout, base, max, onChange({state, pending, rejected, status, unconfirmed, durable (false: the
 * list could only be kept in memory)})}. Requests carry credentials only to the page's own origin
 * (Elearn.credentialsFor). Plain ES2017, no dependencies. */
(function (Elearn) {
  "use strict";

  const PREFIX = "elearn-xapi-queue:";
  const memory = {}; // per key: this page's copy, the truth when storage fails
  const KEEPALIVE_BYTES = 60000; // browsers allow 64 KiB of keepalive bodies in flight

  function box(key) {
    return {
      read() {
        if (memory[key]) return memory[key].slice();
        try { return JSON.parse(window.localStorage.getItem(key)) || []; } catch (e) { return []; }
      },
      write(list) {
        memory[key] = list.slice();
        try {
          if (list.length) window.localStorage.setItem(key, JSON.stringify(list));
          else window.localStorage.removeItem(key);
          return true;
        } catch (e) { return false; }
      },
    };
  }

  const defaultTransport = (url, init) => fetch(url, init).then((r) => r.text().then((body) => ({ status: r.status, body }),
    () => ({ status: r.status, body: "" })));

  /** Cookies go with a request only to the page's own origin (an LMS that knows its learner by the session);
   *  an LRS elsewhere gets none ("omit"), whatever it asks for. */
  Elearn.credentialsFor = function (url) {
    try {
      return new URL(url, window.location.href).origin === window.location.origin ? "include" : "omit";
    } catch (e) { return "omit"; }
  };

  /** True when an answer's body is the JSON array of exactly these statement ids (the Statement API's POST answer). */
  function confirms(body, ids) {
    let got;
    try { got = JSON.parse(body); } catch (e) { return false; }
    if (!Array.isArray(got) || got.length !== ids.length) return false;
    const want = new Set(ids);
    return got.every((id) => want.has(id)) && new Set(got).size === ids.length;
  }

  Elearn.queue = function (options) {
    const o = Object.assign({ batch: 50, timeout: 20000, base: 1000, max: 60000 }, options);
    const key = `${PREFIX}${o.endpoint}|${o.registration}`;
    const queued = box(key);
    const rejected = box(`${key}|rejected`);
    const checks = box(`${key}|once`); // ids of statements to check with o.already before they are sent
    const url = new URL("statements", /\/$/.test(o.endpoint) ? o.endpoint : `${o.endpoint}/`).href;
    let state = "idle";
    let failures = 0;
    let timer = null;
    let running = null;
    let lastStatus = null;
    let unconfirmed = false; // the last answer was a success that did not confirm the ids
    let mode = "post"; // "put" once a POST's 200 did not confirm the ids: one PUT ?statementId= each
    let durable = true; // the last change of the list reached storage

    const pending = () => queued.read().length;
    function notify() {
      if (o.onChange) {
        try { o.onChange({ state, pending: pending(), rejected: rejected.read().length, status: lastStatus, unconfirmed, durable }); } catch (e) { /* a listener's problem */ }
      }
    }
    function remove(ids) {
      const gone = new Set(ids);
      durable = queued.write(queued.read().filter((s) => !gone.has(s.id)));
      if (ids.some((id) => checks.read().includes(id))) checks.write(checks.read().filter((id) => !gone.has(id)));
    }

    /** Drops from `list` the statements added with {once: true} that the LRS already has (o.already answers
     *  true: the registration has this verb about this activity, from another browser or an earlier page). */
    async function unique(list) {
      const ask = checks.read();
      if (!o.already || !ask.length) return list;
      const kept = [];
      for (const s of list) {
        let has = null;
        if (ask.includes(s.id)) { try { has = await o.already(s); } catch (e) { has = null; } }
        if (has === true) {
          remove([s.id]);
          console.warn(`elearn: statement ${s.id} not sent: the LRS already has ${s.verb && s.verb.id} for this registration`);
        } else kept.push(s);
      }
      return kept;
    }
    function schedule(ms) {
      clearTimeout(timer);
      timer = setTimeout(() => { timer = null; flush(); }, ms);
    }
    function delay() {
      const ms = Math.min(o.max, o.base * 2 ** Math.min(failures - 1, 20));
      return Math.round(ms * (0.5 + Math.random() / 2)); // jitter: many learners, one LRS coming back
    }

    /** One request: POST of the list, or PUT of its one statement; {status, body} (status 0: no answer, -1: no credentials). */
    async function send(list, keepalive, method) {
      const headers = { "Content-Type": "application/json", "X-Experience-API-Version": "1.0.3" };
      let auth = "";
      try { auth = await o.auth; } catch (e) { return { status: -1, body: "" }; } // no credentials (yet): needs attention
      if (auth) headers.Authorization = auth;
      const transport = o.transport || Elearn.queue.transport || defaultTransport;
      const abort = !keepalive && typeof AbortController === "function" ? new AbortController() : null;
      const t = abort && setTimeout(() => abort.abort(), o.timeout);
      const target = method === "PUT" ? `${url}?statementId=${encodeURIComponent(list[0].id)}` : url;
      try {
        const r = await transport(target, { method, headers, body: JSON.stringify(method === "PUT" ? list[0] : list),
          keepalive: !!keepalive, signal: abort ? abort.signal : undefined, cache: "no-store",
          credentials: Elearn.credentialsFor(target) });
        return { status: r.status, body: r.body == null ? "" : String(r.body) };
      } catch (e) {
        return { status: 0, body: "" };
      } finally {
        if (t) clearTimeout(t);
      }
    }

    /** "confirmed", "unconfirmed" (a success that does not name these ids) or the status to act on. */
    function verdict(list, method, r) {
      if (method === "PUT") {
        if (r.status === 204 || r.status === 409) return "confirmed";
        return r.status >= 200 && r.status < 300 ? "unconfirmed" : r.status;
      }
      if (r.status === 204 || (r.status === 409 && list.length === 1)) return "confirmed";
      if (r.status === 200) return confirms(r.body, list.map((s) => s.id)) ? "confirmed" : "unconfirmed";
      return r.status >= 200 && r.status < 300 ? "unconfirmed" : r.status;
    }

    /** "ok" (confirmed or moved aside), "retry" or "attention". */
    async function deliver(list) {
      if (mode === "put" && list.length > 1) {
        for (const one of list) {
          const outcome = await deliver([one]);
          if (outcome !== "ok") return outcome;
        }
        return "ok";
      }
      const method = mode === "put" ? "PUT" : "POST";
      const r = await send(list, false, method);
      const status = r.status;
      lastStatus = status;
      const seen = verdict(list, method, r);
      unconfirmed = seen === "unconfirmed";
      if (seen === "confirmed") {
        remove(list.map((s) => s.id));
        return "ok";
      }
      if (seen === "unconfirmed") {
        if (method === "PUT") {
          console.warn(`elearn: the LRS answered ${status} without confirming statement ${list[0].id}; it is kept`);
          return "attention";
        }
        mode = "put"; // this endpoint takes statements one by one (the Open edX cmi5 XBlock keeps only PUTs)
        return deliver(list);
      }
      if ([400, 409, 413].includes(status) && list.length > 1) {
        for (const one of list) {
          const outcome = await deliver([one]);
          if (outcome !== "ok") return outcome;
        }
        return "ok";
      }
      if (status === 400 || status === 413) {
        rejected.write(rejected.read().concat(list));
        remove(list.map((s) => s.id));
        console.warn(`elearn: the LRS refused statement ${list[0].id} (${status}); it is kept aside in this browser`);
        return "ok";
      }
      if (status === 0 || status === 408 || status === 429 || status >= 500) return "retry";
      return "attention";
    }

    async function run() {
      state = "sending";
      notify();
      for (;;) {
        const list = await unique(queued.read().slice(0, o.batch));
        if (!list.length && queued.read().length) continue; // all of them were already there
        if (!list.length) {
          failures = 0;
          state = rejected.read().length ? "needs-attention" : "idle";
          break;
        }
        const outcome = await deliver(list);
        if (outcome === "ok") { failures = 0; continue; }
        if (outcome === "retry") {
          failures += 1;
          state = "waiting";
          schedule(delay());
        } else {
          state = "needs-attention";
          schedule(o.max); // and the next add(): the credentials may come back
        }
        break;
      }
      notify();
    }

    /** Sends everything queued; resolves when the queue is empty or sending has to wait. */
    function flush() {
      if (!running) running = run().finally(() => { running = null; });
      return running;
    }

    /** Queues one statement (stored at once) and sends it soon. False when it could only be kept in memory. */
    function add(statement, how) {
      if (how && how.once && o.already) checks.write(checks.read().concat([statement.id]));
      durable = queued.write(queued.read().concat([statement]));
      if (state !== "waiting") schedule(0); // while the LRS is away, the back-off timer decides
      notify();
      return durable;
    }

    /** At pagehide: what is queued, up to the keepalive budget, in one request that outlives the page. */
    function exit() {
      clearTimeout(timer);
      const list = [];
      let bytes = 2;
      const ask = new Set(checks.read()); // those wait for a page that can ask the LRS first
      queued.read().filter((s) => !ask.has(s.id)).some((s) => {
        const size = JSON.stringify(s).length + 1;
        if (bytes + size > KEEPALIVE_BYTES) return true;
        list.push(s);
        bytes += size;
        return false;
      });
      if (!list.length) return Promise.resolve(true);
      const method = mode === "put" ? "PUT" : "POST";
      const batches = method === "PUT" ? list.map((s) => [s]) : [list];
      return Promise.all(batches.map((part) => send(part, true, method).then((r) => {
        const ok = verdict(part, method, r) === "confirmed";
        if (ok) remove(part.map((s) => s.id));
        return ok;
      }))).then((all) => all.every(Boolean));
    }

    if (typeof document !== "undefined") {
      document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden" && state !== "waiting") flush(); });
    }
    window.addEventListener("online", () => { if (state === "waiting") schedule(0); });

    return { key, add, flush, exit, pending, rejected: () => rejected.read().length, state: () => state,
      mode: () => mode };
  };
  Elearn.queue.confirms = confirms;
})(window.Elearn = window.Elearn || {});
