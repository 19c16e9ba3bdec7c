/* elearn-queue.js: a statement leaves the queue only when the LRS confirms its id. Run: node --test tests/js */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { page, scripted, statement } = require("./harness");

const ENDPOINT = "https://lrs.example.org/xAPI/";

function queue(replies, options) {
  const window = page(["elearn-queue.js"]);
  const { calls, transport } = scripted(replies);
  const changes = [];
  const q = window.Elearn.queue(Object.assign({ endpoint: ENDPOINT, registration: "reg-1", auth: "Basic dDp0", transport,
    base: 5, max: 50, onChange: (info) => changes.push(info) }, options));
  return { q, calls, changes, window };
}

test("a 200 whose body is the array of the ids sent removes them", async () => {
  const { q, calls } = queue(["echo"]);
  [1, 2, 3].forEach((n) => q.add(statement(n)));
  await q.flush();
  assert.equal(q.pending(), 0);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].method, "POST");
});

test("a 200 answering {\"success\": true} deletes nothing and the statements go again one by one with PUT", async () => {
  const put = (body, url) => ({ status: 204, body: "" });
  const { q, calls } = queue([{ status: 200, body: '{"success": true}' }, put, put]);
  [1, 2].forEach((n) => q.add(statement(n)));
  await q.flush();
  assert.deepEqual(calls.map((c) => c.method), ["POST", "PUT", "PUT"]);
  assert.equal(calls[1].url, `${ENDPOINT}statements?statementId=${statement(1).id}`);
  assert.deepEqual(calls[1].body, statement(1)); // one statement, not an array
  assert.equal(q.pending(), 0); // each confirmed by its PUT's 204
  assert.equal(q.mode(), "put");
  q.add(statement(3));
  await q.flush();
  assert.equal(calls[3].method, "PUT"); // the endpoint stays in PUT mode
});

for (const [name, body] of [["other ids", '["00000000-0000-4000-8000-000000000009"]'], ["too few ids", "[]"],
  ["not JSON", "ok"], ["an empty body", ""], ["an object", '{"0": "x"}']]) {
  test(`a 200 with ${name} is no confirmation: nothing is deleted, the learner is told`, async () => {
    const refuse = { status: 200, body: '{"success": true}' };
    const { q, calls, changes } = queue([{ status: 200, body }, refuse, refuse]);
    [1, 2].forEach((n) => q.add(statement(n)));
    await q.flush();
    assert.equal(q.pending(), 2);
    assert.equal(q.state(), "needs-attention");
    const last = changes[changes.length - 1];
    assert.equal(last.unconfirmed, true);
    assert.equal(last.state, "needs-attention");
    assert.deepEqual(calls.map((c) => c.method), ["POST", "PUT"]); // stops at the first PUT not confirmed
  });
}

test("a PUT answered 200 (not 204) is not confirmation; a later 204 is", async () => {
  const { q, calls } = queue([{ status: 200, body: "" }, { status: 200, body: '{"success":true}' }, { status: 204 }]);
  q.add(statement(1));
  await q.flush();
  assert.equal(q.pending(), 1);
  await q.flush();
  assert.equal(q.pending(), 0);
  assert.deepEqual(calls.map((c) => c.method), ["POST", "PUT", "PUT"]);
});

test("204 to a POST (every statement already known) and 409 for one statement stay acknowledged", async () => {
  const { q } = queue([{ status: 204 }]);
  [1, 2].forEach((n) => q.add(statement(n)));
  await q.flush();
  assert.equal(q.pending(), 0);
  const single = queue([{ status: 409 }]);
  single.q.add(statement(3));
  await single.q.flush();
  assert.equal(single.q.pending(), 0);
});

test("a 500 keeps the statements and retries; the confirmation still decides", async () => {
  const { q, calls } = queue([{ status: 500 }, "offline", "echo"]);
  q.add(statement(1));
  await q.flush();
  assert.equal(q.state(), "waiting");
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(q.pending(), 0);
  assert.equal(calls.length, 3);
});

test("exit() deletes only what a keepalive answer confirms", async () => {
  const { q, calls } = queue(["offline", { status: 200, body: '{"success":true}' }], { base: 60000 });
  [1, 2].forEach((n) => q.add(statement(n)));
  await q.flush();
  assert.equal(await q.exit(), false);
  assert.equal(q.pending(), 2);
  assert.equal(calls[1].keepalive, true);
  const ok = queue(["offline", "echo"], { base: 60000 });
  [1, 2].forEach((n) => ok.q.add(statement(n)));
  await ok.q.flush();
  assert.equal(await ok.q.exit(), true);
  assert.equal(ok.q.pending(), 0);
});

test("confirms() wants exactly the ids sent", () => {
  const { window } = queue([]);
  const confirms = window.Elearn.queue.confirms;
  assert.equal(confirms('["a","b"]', ["b", "a"]), true);
  assert.equal(confirms('["a","a"]', ["a", "b"]), false);
  assert.equal(confirms('["a"]', ["a", "b"]), false);
  assert.equal(confirms('{"success":true}', ["a"]), false);
  assert.equal(confirms("", []), false);
});

test("cookies go only to the page's own origin", async () => {
  const window = page(["elearn-queue.js"], "http://127.0.0.1:8000/pkg/index.html");
  assert.equal(window.Elearn.credentialsFor("http://127.0.0.1:8000/xAPI/statements"), "include");
  assert.equal(window.Elearn.credentialsFor("/xAPI/statements"), "include");
  assert.equal(window.Elearn.credentialsFor("http://127.0.0.1:8001/xAPI/statements"), "omit");
  assert.equal(window.Elearn.credentialsFor("https://lrs.example.org/xAPI/"), "omit");
  assert.equal(window.Elearn.credentialsFor("http://[bad"), "omit");
  const { calls, transport } = scripted(["echo"]);
  const q = window.Elearn.queue({ endpoint: "http://127.0.0.1:8000/xAPI/", registration: "r", auth: "", transport });
  q.add(statement(1));
  await q.flush();
  assert.equal(calls[0].credentials, "include");
  const other = queue(["echo"]);
  other.q.add(statement(1));
  await other.q.flush();
  assert.equal(other.calls[0].credentials, "omit");
});
