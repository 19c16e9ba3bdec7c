/* elearn-queue.js with its transport injected (was tests/browser/test_xapi_queue.py, in Chromium): batches and
 * headers, back-off, a request that hangs, refused credentials, conflicts and refusals in a batch, a reload, and
 * keepalive at exit within the browser's budget. The sessions against a real LRS stay in the browser tests
 * (test_xapi_sessions.py, test_xapi_durability.py). Run: node --test tests/js */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { page } = require("./harness");

const ENDPOINT = "https://lrs.example.org/xAPI/";
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const ids = (numbers) => numbers.map((n) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`);
const statement = (n, pad) => ({ id: ids([n])[0], n, pad: "x".repeat(pad || 0) });

/** A page with the queue and a transport answering from `replies` (a status, "offline" or "hang"); a 200 is
 *  the Statement API's: the ids sent. `tab`: an earlier page's storage (a reload). */
function lrs(replies, tab) {
  const window = page(["elearn-queue.js"], undefined, tab);
  const calls = [];
  const started = Date.now();
  const transport = (url, init) => {
    const body = JSON.parse(init.body);
    const list = Array.isArray(body) ? body : [body];
    calls.push({ url, at: Date.now() - started, ids: list.map((s) => s.id), keepalive: init.keepalive, headers: init.headers,
      bytes: init.body.length, method: init.method });
    const reply = replies.length ? replies.shift() : 200;
    if (reply === "offline") return Promise.reject(new TypeError("Failed to fetch"));
    if (reply === "hang") {
      return new Promise((resolve, reject) => init.signal.addEventListener("abort",
        () => reject(new DOMException("The operation was aborted.", "AbortError"))));
    }
    return Promise.resolve({ status: reply, body: reply === 200 ? JSON.stringify(list.map((s) => s.id)) : "" });
  };
  const make = (options) => window.Elearn.queue(Object.assign({ endpoint: ENDPOINT, registration: "reg-1",
    auth: "Basic dGVzdDp0ZXN0", transport }, options));
  return { window, calls, make, replies, tab: { localStorage: window.localStorage, sessionStorage: window.sessionStorage } };
}

async function until(check, ms) {
  const end = Date.now() + (ms || 5000);
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await wait(5);
  }
}

test("batches of 50 with the version, Authorization and JSON type, in order, removed when acknowledged", async () => {
  const { make, calls, window } = lrs([]);
  const q = make({ batch: 50 });
  for (let n = 0; n < 120; n += 1) q.add(statement(n));
  await q.flush();
  assert.deepEqual(calls.map((c) => c.ids.length), [50, 50, 20]);
  assert.deepEqual(calls.flatMap((c) => c.ids), ids([...Array(120).keys()]));
  assert.deepEqual([...new Set(calls.map((c) => c.url))], [`${ENDPOINT}statements`]);
  for (const c of calls) {
    assert.equal(c.headers["X-Experience-API-Version"], "1.0.3");
    assert.equal(c.headers.Authorization, "Basic dGVzdDp0ZXN0");
    assert.equal(c.headers["Content-Type"], "application/json");
  }
  assert.deepEqual([q.pending(), window.localStorage.getItem(q.key), q.state()], [0, null, "idle"]);
});

test("kept and retried with exponential back-off (with jitter) until the LRS answers", async () => {
  const { make, calls, window } = lrs([503, "offline", 500, 502, 200]);
  const q = make({ base: 40, max: 5000 });
  [1, 2, 3].forEach((n) => q.add(statement(n)));
  await wait(10);
  assert.deepEqual([q.pending(), JSON.parse(window.localStorage.getItem(q.key)).length, q.state()], [3, 3, "waiting"]);
  await until(() => q.pending() === 0);
  assert.equal(calls.length, 5);
  assert.ok(calls.every((c) => JSON.stringify(c.ids) === JSON.stringify(ids([1, 2, 3]))));
  const delays = window.timeouts.filter((ms) => ms !== 0 && ms !== 20000); // the back-off's (not a send's timeout)
  assert.equal(delays.length, 4);
  delays.forEach((ms, k) => assert.ok(40 * 2 ** k * 0.5 <= ms && ms <= 40 * 2 ** k, `delays ${delays}`)); // doubling, jitter of up to half
  const gaps = calls.slice(1).map((c, k) => c.at - calls[k].at);
  gaps.forEach((gap, k) => assert.ok(gap >= delays[k] - 5, `gaps ${gaps}, delays ${delays}`));
  assert.equal(q.state(), "idle");
});

test("a request that hangs is abandoned after the timeout and sent again", async () => {
  const { make, calls } = lrs(["hang", 200]);
  const q = make({ timeout: 100, base: 20 });
  q.add(statement(7));
  await until(() => q.pending() === 0);
  assert.deepEqual(calls.map((c) => c.ids), [ids([7]), ids([7])]);
  assert.ok(calls[1].at - calls[0].at >= 100);
});

for (const status of [401, 403]) {
  test(`refused credentials (${status}) keep the statements and need attention; the next statement tries again`, async () => {
    const { make, calls } = lrs([status]);
    const states = [];
    const q = make({ base: 20, onChange: (info) => states.push(info.state) });
    q.add(statement(1));
    q.add(statement(2));
    await wait(150); // no retry on its own
    assert.deepEqual([q.pending(), calls.length, states[states.length - 1]], [2, 1, "needs-attention"]);
    q.add(statement(3));
    await until(() => q.pending() === 0);
    assert.deepEqual(calls[calls.length - 1].ids, ids([1, 2, 3]));
  });
}

test("a conflict in a batch is resolved one by one and duplicates count as acknowledged", async () => {
  const { make, calls } = lrs([409, 204, 409, 200]);
  const q = make({});
  [1, 2, 3].forEach((n) => q.add(statement(n)));
  await q.flush();
  assert.equal(q.pending(), 0);
  assert.deepEqual(calls.map((c) => c.ids), [ids([1, 2, 3]), ids([1]), ids([2]), ids([3])]);
});

test("a statement the LRS refuses is kept aside and the others go on", async () => {
  const { make, calls, window } = lrs([400, 200, 400, 200, 200]);
  const q = make({});
  [1, 2, 3].forEach((n) => q.add(statement(n)));
  await q.flush();
  q.add(statement(4));
  await q.flush();
  const aside = JSON.parse(window.localStorage.getItem(`${q.key}|rejected`)).map((s) => s.n);
  assert.deepEqual([q.pending(), q.rejected(), q.state(), aside], [0, 1, "needs-attention", [2]]);
  assert.deepEqual(calls.map((c) => c.ids), [ids([1, 2, 3]), ids([1]), ids([2]), ids([3]), ids([4])]);
});

test("statements survive a reload and are sent with the same ids; another registration has its own list", async () => {
  const before = lrs(Array(50).fill("offline"));
  const q1 = before.make({ base: 5000 });
  [1, 2, 3, 4, 5].forEach((n) => q1.add(statement(n)));
  await wait(10);
  const after = lrs([], before.tab); // the same tab, a new page
  const other = after.make({ registration: "reg-2" });
  const q = after.make({});
  assert.equal(q.pending(), 5);
  await q.flush();
  assert.deepEqual([other.pending(), q.pending()], [0, 0]);
  assert.deepEqual(after.calls.map((c) => c.ids), [ids([1, 2, 3, 4, 5])]);
});

test("exit sends with keepalive within the browser's 64 KiB budget and keeps the rest", async () => {
  const { make, calls, replies } = lrs(Array(200).fill("offline"));
  const q = make({ base: 60000 });
  for (let n = 0; n < 100; n += 1) q.add(statement(n, 1500)); // about 150 KB
  await wait(20);
  replies.length = 0;
  replies.push(200);
  const first = calls.length;
  const delivered = await q.exit();
  const call = calls[first];
  assert.equal(call.keepalive, true);
  assert.ok(call.bytes <= 60000, `${call.bytes} bytes`);
  assert.equal(delivered, true);
  assert.ok(q.pending() === 100 - call.ids.length && q.pending() > 0, "the rest waits for the next launch");
});
