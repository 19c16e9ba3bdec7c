/* elearn-save.js: the learner's work reaches the LMS, or waits in this browser until it can.
 * Registers Elearn.save(adapter, launch, options) -> saver, which elearn.js puts between the course and
 * every adapter. The saver keeps the latest value of each group (bookmark, suspend data, progress,
 * score, status) and the interactions the adapter has not taken yet, in order, each with its index `n`.
 * What changed is written at the next commit, interactions first. A write or a commit the LMS refuses
 * for now (a general failure, a method that throws, an API that has gone) drops nothing: the next commit
 * writes it again, a timer retries (2 s doubling to 30 s), and the status line says so until a commit
 * succeeds.
 * With a SCORM LMS (options.key), a backup of the session is kept in localStorage at every commit and
 * at exit: the latest values, this session's interactions with their LMS index, and a short hash of
 * every bookmark + suspend data the session wrote (and of the one it started from). At the next launch,
 * when the LMS holds one of those states but not the latest, the LMS is behind (a failed commit, an API
 * that vanished, a tab closed while an asynchronous commit was on its way): the backup's values are
 * restored and written, and the interactions the LMS lacks (index >= options.held) are recorded again.
 * Any other state means the learner went on elsewhere, and a new attempt (nothing saved) after the LMS
 * once took the backup's work starts afresh: the backup is dropped.
 * Storage that is full or disabled only loses the backup (the LMS still gets everything while the page
 * lives; the status line then warns that closing the window may lose work). Plain ES2017. */
(function (Elearn) {
  "use strict";

  const GROUPS = ["setLocation", "setSuspendData", "setProgress", "setScore", "setStatus"];
  const HISTORY = 200; // states remembered per backup

  /** FNV-1a (32 bits) of a bookmark and its suspend data, in base 36. */
  function stateOf(location, suspendData) {
    const text = `${location || ""}\n${suspendData || ""}`;
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i += 1) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193); }
    return (h >>> 0).toString(36);
  }

  /** localStorage as {get, set}: get -> value or null; set -> false when the browser cannot store it. */
  const store = {
    get(key) { try { return JSON.parse(window.localStorage.getItem(key)); } catch (e) { return null; } },
    set(key, value) {
      try { window.localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
    },
  };

  /** True when this browser can keep something in localStorage (not disabled, not full). */
  function storable() {
    try {
      window.localStorage.setItem("elearn-probe", "1");
      window.localStorage.removeItem("elearn-probe");
      return true;
    } catch (e) { return false; }
  }

  /** options: {key (the backup's localStorage key, or null), held (interactions the LMS holds: the larger of
   *  cmi.interactions._count and the count in its suspend data), say(key, level), base, max (retry ms)}.
   *  Changes launch.location / launch.suspendData when a backup is restored (before the course reads them). */
  Elearn.save = function (adapter, launch, options) {
    const o = Object.assign({ base: 2000, max: 30000, say() {} }, options);
    const want = {};
    const written = { setLocation: JSON.stringify([launch.location]), setSuspendData: JSON.stringify([launch.suspendData]) };
    const counted = Number.isInteger(o.held) ? o.held : 0; // what the LMS held at launch
    let pending = []; // interactions the adapter has not taken, in order
    let session = []; // this session's interactions with their LMS index `n` (for the backup)
    let history = [];
    let dirty = false; // written since the last successful commit
    let failing = false; // the last write or commit failed
    let failures = 0;
    let timer = null;
    let closing = null; // exit is waiting for the LMS: called once a commit succeeds
    let restored = false;
    let finished = false;

    const call = (method, args) => {
      try { return adapter[method](...args) !== false; } catch (e) { return false; }
    };
    const revive = (i) => Object.assign({}, i, { time: new Date(i.time) });

    /* The backup of an earlier session: restored when the LMS is behind it, else dropped. */
    const now = stateOf(launch.location, launch.suspendData);
    const old = o.key ? store.get(o.key) : null;
    /* A new attempt (nothing saved) after the LMS once took this backup's work starts afresh. */
    const anew = !launch.location && !launch.suspendData && old && old.confirmed;
    let confirmed = false; // the LMS took a commit of this backup's work
    if (old && Array.isArray(old.history) && old.history.includes(now) && old.want && !anew) {
      confirmed = !!old.confirmed;
      history = old.history.slice(-HISTORY);
      if (now !== old.history[old.history.length - 1] && old.want.setLocation && old.want.setSuspendData) {
        Object.assign(want, old.want);
        [launch.location] = old.want.setLocation;
        [launch.suspendData] = old.want.setSuspendData;
        restored = true;
      }
      session = (old.interactions || []).filter((i) => i.n >= counted);
      pending = session.map(revive);
      restored = restored || pending.length > 0;
    }
    if (history[history.length - 1] !== now) history.push(now);

    function remember() {
      if (!o.key) return true;
      const latest = stateOf((want.setLocation || [launch.location])[0], (want.setSuspendData || [launch.suspendData])[0]);
      if (history[history.length - 1] !== latest) history.push(latest);
      if (history.length > HISTORY) history = history.slice(-HISTORY);
      return store.set(o.key, { v: 1, history, want, interactions: session, confirmed, t: Date.now() });
    }

    /** Writes what the adapter has not taken yet (interactions first: the suspend data counts them); false
     *  when something is left. */
    function write() {
      while (pending.length && call("recordInteraction", [pending[0]])) pending.shift();
      let ok = pending.length === 0;
      GROUPS.forEach((method) => {
        if (!(method in want)) return;
        const key = JSON.stringify(want[method]);
        if (written[method] === key) return;
        if (call(method, want[method])) written[method] = key;
        else ok = false;
      });
      return ok;
    }

    /** The next retry, unless one is due: 2 s, doubling up to 30 s, whatever the learner does meanwhile. */
    function schedule() {
      if (timer) return;
      const ms = Math.min(o.max, o.base * 2 ** Math.min(failures, 10));
      failures += 1;
      timer = setTimeout(() => { timer = null; commit(); }, ms);
    }

    let shown = null;
    const tell = (key, level) => { if (shown !== key) { shown = key; o.say(key, level); } };

    function failed() {
      failing = true;
      const durable = remember();
      if (closing) tell(durable ? "exit_pending" : "exit_pending_volatile", "warning");
      else tell(durable ? "save_failed" : "save_failed_volatile", "warning");
      schedule();
      return false;
    }

    function succeeded() {
      const was = failing;
      confirmed = true;
      failing = false;
      failures = 0;
      dirty = false;
      clearTimeout(timer);
      timer = null;
      if (closing) { const done = closing; closing = null; done(); return true; }
      if (restored) tell("save_restored");
      else if (was) tell("save_recovered");
      restored = false;
      return true;
    }

    /** Writes what is left and commits (only when something was written or left). */
    function commit() {
      if (finished) return false;
      if (!dirty && !failing && !pending.length) return true;
      dirty = true;
      remember();
      if (!write()) return failed();
      return call("commit", []) ? succeeded() : failed();
    }

    function end() {
      finished = true;
      clearTimeout(timer);
      return call("finish", []);
    }

    return {
      /** The latest value of a group, written at the next commit when it changed. */
      put(method, ...args) {
        want[method] = args;
        if (written[method] !== JSON.stringify(args)) dirty = true;
      },
      /** An interaction, with its index `n` (the course's own count), written at the next commit. */
      record(interaction) {
        session.push(Object.assign({}, interaction, { time: +interaction.time }));
        pending.push(interaction);
        dirty = true;
      },
      commit,
      /** At exit: writes what is left and finishes; done(saved) is called once the LMS has it all. When the
       *  LMS is refusing, finishing waits for a commit that succeeds (retried), unless the page is going
       *  away (`hiding`): then it finishes at once, and the backup keeps what the LMS did not take. */
      finish(hiding, done) {
        if (finished) return;
        const ok = write();
        remember();
        if (ok && !failing) { done(end()); return; }
        if (hiding) { end(); done(false); return; }
        closing = () => done(end());
        failed();
      },
    };
  };
  Elearn.save.storable = storable;
})(window.Elearn = window.Elearn || {});
