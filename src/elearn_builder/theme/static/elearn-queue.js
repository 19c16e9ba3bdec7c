/* elearn-queue.js: the durable statement queue. Registers Elearn.queue(options) -> queue.
 * Every statement is written to localStorage the moment it is added (one list per endpoint and
 * registration), sent in batches (POST of an array, X-Experience-API-Version 1.0.3, the launch's
 * Authorization) and removed only when the LRS acknowledges it:
 *   200 / 204, or 409 for a single statement (a duplicate id)       -> acknowledged, removed
 *   network error, timeout, 408, 429, 5xx                           -> kept, retried with exponential back-off
 *   401 / 403, other 4xx                                            -> kept, state "needs-attention" (tried again
 *                                                                      on the next add() or flush(), or after `max`)
 *   400 / 409 / 413 for a batch                                     -> sent one by one to find the culprit
 *   400 / 413 for one statement                                     -> moved aside (kept, key + "|rejected")
 * A statement keeps its id for ever, so sending it again is harmless. flush() on start sends what
 * earlier pages left; exit() sends what is left with fetch keepalive when the page goes away (the
 * copy in storage stays until a later page sees it acknowledged). A list that cannot be stored (no
 * storage, quota) is kept in memory for the page's life. options: {endpoint, registration, auth
 * (value or promise), transport(url, init) -> Promise<{status}> (tests), batch, timeout, base, max,
 * onChange({state, pending, rejected, status, durable (false: the list could only be kept in memory)})}. Plain ES2017, no dependencies. */
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

  const defaultTransport = (url, init) => fetch(url, init).then((r) => ({ status: r.status }));

  Elearn.queue = function (options) {
    const o = Object.assign({ batch: 50, timeout: 20000, base: 1000, max: 60000 }, options);
    const key = `${PREFIX}${o.endpoint}|${o.registration}`;
    const queued = box(key);
    const rejected = box(`${key}|rejected`);
    const url = new URL("statements", /\/$/.test(o.endpoint) ? o.endpoint : `${o.endpoint}/`).href;
    let state = "idle";
    let failures = 0;
    let timer = null;
    let running = null;
    let lastStatus = null;
    let durable = true; // the last change of the list reached storage

    const pending = () => queued.read().length;
    function notify() {
      if (o.onChange) {
        try { o.onChange({ state, pending: pending(), rejected: rejected.read().length, status: lastStatus, durable }); } catch (e) { /* a listener's problem */ }
      }
    }
    function remove(ids) {
      const gone = new Set(ids);
      durable = queued.write(queued.read().filter((s) => !gone.has(s.id)));
    }
    function schedule(ms) {
      clearTimeout(timer);
      timer = setTimeout(() => { timer = null; flush(); }, ms);
    }
    function delay() {
      const ms = Math.min(o.max, o.base * 2 ** Math.min(failures - 1, 20));
      return Math.round(ms * (0.5 + Math.random() / 2)); // jitter: many learners, one LRS coming back
    }

    async function post(list, keepalive) {
      const headers = { "Content-Type": "application/json", "X-Experience-API-Version": "1.0.3" };
      let auth = "";
      try { auth = await o.auth; } catch (e) { return -1; } // no credentials (yet): needs attention
      if (auth) headers.Authorization = auth;
      const transport = o.transport || Elearn.queue.transport || defaultTransport;
      const abort = !keepalive && typeof AbortController === "function" ? new AbortController() : null;
      const t = abort && setTimeout(() => abort.abort(), o.timeout);
      try {
        const r = await transport(url, { method: "POST", headers, body: JSON.stringify(list), keepalive: !!keepalive,
          signal: abort ? abort.signal : undefined, cache: "no-store", credentials: "omit" });
        return r.status;
      } catch (e) {
        return 0;
      } finally {
        if (t) clearTimeout(t);
      }
    }

    /** "ok" (acknowledged or moved aside), "retry" or "attention". */
    async function deliver(list) {
      const status = await post(list, false);
      lastStatus = status;
      if (status === 200 || status === 204 || (status === 409 && list.length === 1)) {
        remove(list.map((s) => s.id));
        return "ok";
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
        const list = queued.read().slice(0, o.batch);
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
    function add(statement) {
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
      queued.read().some((s) => {
        const size = JSON.stringify(s).length + 1;
        if (bytes + size > KEEPALIVE_BYTES) return true;
        list.push(s);
        bytes += size;
        return false;
      });
      if (!list.length) return Promise.resolve(true);
      return post(list, true).then((status) => {
        if (status === 200 || status === 204) remove(list.map((s) => s.id));
        return status === 200 || status === 204;
      });
    }

    if (typeof document !== "undefined") {
      document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden" && state !== "waiting") flush(); });
    }
    window.addEventListener("online", () => { if (state === "waiting") schedule(0); });

    return { key, add, flush, exit, pending, rejected: () => rejected.read().length, state: () => state };
  };
})(window.Elearn = window.Elearn || {});
