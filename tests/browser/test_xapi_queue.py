"""The durable statement queue (elearn-queue.js) in Chromium, with its transport injected: what it does
with each answer an LRS can give, back-off, timeouts, reloads and keepalive at exit. The sessions
against a real LRS are in test_xapi_sessions.py and test_xapi_durability.py."""
from __future__ import annotations

import itertools

import pytest
from xapi_session import REPO, new_tab

QUEUE_JS = REPO / "src" / "elearn_builder" / "theme" / "static" / "elearn-queue.js"
ENDPOINT = "https://lrs.example.org/xAPI/"
FAKE_TRANSPORT = """
window.__calls = [];
window.__replies = [];
Elearn.queue.transport = (url, init) => {
  const body = JSON.parse(init.body);
  __calls.push({ url, at: performance.now(), ids: body.map((s) => s.id), keepalive: init.keepalive,
                 headers: init.headers, bytes: init.body.length });
  const reply = __replies.length ? __replies.shift() : 200;
  if (reply === "offline") return Promise.reject(new TypeError("Failed to fetch"));
  if (reply === "hang") return new Promise((resolve, reject) => init.signal.addEventListener("abort",
    () => reject(new DOMException("The operation was aborted.", "AbortError"))));
  // a 200 is the Statement API's: the ids of the statements sent (anything else is no confirmation)
  return Promise.resolve({ status: reply, body: reply === 200 ? JSON.stringify(body.map((s) => s.id)) : "" });
};
window.__make = (options) => Elearn.queue(Object.assign({ endpoint: "ENDPOINT", registration: "reg-1",
  auth: "Basic dGVzdDp0ZXN0" }, options));
window.__statement = (n, pad) => ({ id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`, n,
                                     pad: "x".repeat(pad || 0) });
""".replace("ENDPOINT", ENDPOINT)


@pytest.fixture
def tab(learner_context, server):
    page = new_tab(learner_context)
    page.goto(f"{server}/host/host.html")  # any page of the test server: an origin with localStorage
    load(page)
    return page


def load(page) -> None:
    page.add_script_tag(path=str(QUEUE_JS))
    page.evaluate(FAKE_TRANSPORT)


def calls(page) -> list[dict]:
    return page.evaluate("__calls")


def ids(numbers) -> list[str]:
    return [f"00000000-0000-4000-8000-{n:012d}" for n in numbers]


def test_batches_with_version_and_authorization_and_removed_when_acknowledged(tab):
    left = tab.evaluate("""async () => {
        const q = __make({ batch: 50 });
        for (let n = 0; n < 120; n += 1) q.add(__statement(n));
        await q.flush();
        return { pending: q.pending(), stored: localStorage.getItem(q.key), state: q.state() };
    }""")
    made = calls(tab)
    assert [len(c["ids"]) for c in made] == [50, 50, 20]
    assert [i for c in made for i in c["ids"]] == ids(range(120))  # in the order they were made
    assert {c["url"] for c in made} == {ENDPOINT + "statements"}
    assert all(c["headers"]["X-Experience-API-Version"] == "1.0.3" and c["headers"]["Authorization"] ==
               "Basic dGVzdDp0ZXN0" and c["headers"]["Content-Type"] == "application/json" for c in made)
    assert left == {"pending": 0, "stored": None, "state": "idle"}


def test_kept_and_retried_with_exponential_backoff_until_the_lrs_answers(tab):
    tab.evaluate("__replies = [503, 'offline', 500, 502, 200]")
    during = tab.evaluate("""async () => {
        const q = window.__q = __make({ base: 100, max: 5000 });
        [1, 2, 3].forEach((n) => q.add(__statement(n)));
        await new Promise((r) => setTimeout(r, 20));
        return { pending: q.pending(), stored: JSON.parse(localStorage.getItem(q.key)).length, state: q.state() };
    }""")
    assert during == {"pending": 3, "stored": 3, "state": "waiting"}
    tab.wait_for_function("__q.pending() === 0", timeout=10_000)
    made = calls(tab)
    assert len(made) == 5 and all(c["ids"] == ids([1, 2, 3]) for c in made)
    gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(made)]
    for k, gap in enumerate(gaps):  # 100 ms doubling each time, less a jitter of up to half (timers may run late)
        assert 100 * 2 ** k * 0.5 - 5 <= gap <= 100 * 2 ** k + 400, gaps
    assert gaps[-1] > gaps[0]
    assert tab.evaluate("__q.state()") == "idle"


def test_a_request_that_hangs_is_abandoned_after_the_timeout_and_sent_again(tab):
    tab.evaluate("__replies = ['hang', 200]")
    tab.evaluate("""() => { const q = window.__q = __make({ timeout: 200, base: 50 }); q.add(__statement(7)); }""")
    tab.wait_for_function("__q.pending() === 0", timeout=5_000)
    made = calls(tab)
    assert [c["ids"] for c in made] == [ids([7])] * 2
    assert made[1]["at"] - made[0]["at"] >= 200


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_keep_the_statements_and_need_attention(tab, status):
    tab.evaluate(f"__replies = [{status}]")
    seen = tab.evaluate("""async () => {
        const states = [];
        const q = window.__q = __make({ base: 20, onChange: (info) => states.push(info.state) });
        q.add(__statement(1)); q.add(__statement(2));
        await new Promise((r) => setTimeout(r, 400));  // no retry on its own
        return { states, pending: q.pending(), calls: __calls.length };
    }""")
    assert seen["pending"] == 2 and seen["calls"] == 1 and seen["states"][-1] == "needs-attention"
    tab.evaluate("__q.add(__statement(3))")  # the next statement tries again (credentials may be back)
    tab.wait_for_function("__q.pending() === 0")
    assert calls(tab)[-1]["ids"] == ids([1, 2, 3])


def test_a_conflict_in_a_batch_is_resolved_one_by_one_and_duplicates_count_as_acknowledged(tab):
    tab.evaluate("__replies = [409, 204, 409, 200]")
    left = tab.evaluate("""async () => {
        const q = __make({});
        [1, 2, 3].forEach((n) => q.add(__statement(n)));
        await q.flush();
        return q.pending();
    }""")
    assert left == 0
    assert [c["ids"] for c in calls(tab)] == [ids([1, 2, 3]), ids([1]), ids([2]), ids([3])]


def test_a_statement_the_lrs_refuses_is_kept_aside_and_the_others_go_on(tab):
    tab.evaluate("__replies = [400, 200, 400, 200, 200]")
    after = tab.evaluate("""async () => {
        const q = __make({});
        [1, 2, 3].forEach((n) => q.add(__statement(n)));
        await q.flush();
        q.add(__statement(4));
        await q.flush();
        return { pending: q.pending(), rejected: q.rejected(), state: q.state(),
                 aside: JSON.parse(localStorage.getItem(q.key + "|rejected")).map((s) => s.n) };
    }""")
    assert after == {"pending": 0, "rejected": 1, "state": "needs-attention", "aside": [2]}
    assert [c["ids"] for c in calls(tab)] == [ids([1, 2, 3]), ids([1]), ids([2]), ids([3]), ids([4])]


def test_statements_survive_a_reload_and_are_sent_with_the_same_ids(tab):
    tab.evaluate("__replies = Array(50).fill('offline')")
    tab.evaluate("() => { const q = __make({ base: 5000 }); [1, 2, 3, 4, 5].forEach((n) => q.add(__statement(n))); }")
    tab.reload()
    load(tab)
    sent = tab.evaluate("""async () => {
        const other = __make({ registration: "reg-2" });  // another registration has its own list
        const q = __make({});
        const before = q.pending();
        await q.flush();
        return { before, other: other.pending(), after: q.pending() };
    }""")
    assert sent == {"before": 5, "other": 0, "after": 0}
    assert [c["ids"] for c in calls(tab)] == [ids([1, 2, 3, 4, 5])]


def test_exit_sends_with_keepalive_within_the_browser_budget_and_keeps_the_rest(tab):
    tab.evaluate("__replies = Array(200).fill('offline')")
    result = tab.evaluate("""async () => {
        const q = __make({ base: 60000 });
        for (let n = 0; n < 100; n += 1) q.add(__statement(n, 1500));  // about 150 KB
        await new Promise((r) => setTimeout(r, 50));
        __replies = [200];
        const before = __calls.length;
        const delivered = await q.exit();
        return { delivered, call: __calls[before], pending: q.pending() };
    }""")
    call = result["call"]
    assert call["keepalive"] is True and call["bytes"] <= 60_000
    assert result["delivered"] is True
    assert result["pending"] == 100 - len(call["ids"]) > 0  # the rest waits for the next launch
