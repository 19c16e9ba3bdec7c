"""The SCORM runtime's calls to an LMS API, under node with a scripted fake API (issue 13): the cheapest layer
that runs the real elearn.js (Elearn.connect), the adapters, elearn-save.js and elearn-state.js.

Each case runs one node process: the runtime's files in a vm context whose ``window`` holds the fake API, a
script of steps, and the calls the fake saw, printed as JSON. The browser tests (tests/browser/
test_lms_profiles.py) drive the same code through whole learner sessions."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
STATIC = REPO / "src" / "elearn_builder" / "theme" / "static"
FILES = ["elearn.js", "elearn-state.js", "elearn-save.js", "adapter-scorm12.js", "adapter-scorm2004.js"]

HARNESS = r"""
const vm = require("vm");
const fs = require("fs");
const [files, scenario] = JSON.parse(fs.readFileSync(0, "utf8"));
const calls = [];
/** A fake LMS: values from `held`; SetValue refused with `refuse[element]` (an error code); GetLastError gives
 *  the last code; methods listed in `missing` are absent. */
function fakeApi(edition, held, refuse, missing) {
  const names = edition === "scorm12"
    ? ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError", "LMSGetErrorString"]
    : ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError", "GetErrorString"];
  const data = Object.assign({}, held);
  let code = "0";
  const impl = [() => "true", () => "true", (e) => (e in data ? data[e] : ""),
    (e, v) => { if (refuse[e]) { code = refuse[e]; return "false"; } code = "0"; data[e] = v; return "true"; },
    () => "true", () => code, () => "text"];
  const api = {};
  names.forEach((n, k) => {
    if (missing.includes(n)) return;
    api[n] = (...args) => { calls.push([n, ...args.map(String)]); return impl[k](...args); };
  });
  return { api, data };
}
const s = scenario;
const { api, data } = fakeApi(s.edition, s.held || {}, s.refuse || {}, s.missing || []);
const global = s.edition === "scorm12" ? "API" : "API_1484_11";
const top = { parent: null, opener: null };
top.parent = top;
const holder = s.inOpener ? { parent: null, [global]: api } : null;
if (holder) { holder.parent = holder; top.opener = holder; } else top[global] = api;
const win = { parent: top, opener: null, addEventListener() {}, console: { warn() {}, error() {}, log() {} } };
const ctx = vm.createContext({ window: win, document: { readyState: "loading", addEventListener() {} },
  console: win.console, setTimeout, clearTimeout, localStorage: undefined });
win.window = win;
files.forEach((f) => vm.runInContext(fs.readFileSync(f, "utf8"), ctx, { filename: f }));
const E = win.Elearn;
const data2 = { assessment: { questions: [] } };
const adapter = E.adapters[s.edition](data2);
const launch = adapter.start();
calls.push(["--started"]);
const save = E.save(adapter, launch, { key: null, held: launch.interactions });
const interaction = (n, extra) => Object.assign({ n, id: `q-${n}`, lmsId: `q_${n}`, lms: { "opt-a": "opt_a", "opt-b": "opt_b" },
  type: "choice", description: "A question", time: new Date(0), weight: 1, options: ["opt-a", "opt-b"],
  correct: ["opt-a"], response: ["opt-b"], isCorrect: false }, extra || {});
let committed = null;
for (const step of s.steps) {
  if (step[0] === "put") save.put(...step.slice(1));
  else if (step[0] === "record") save.record(interaction(step[1]));
  else if (step[0] === "commit") committed = save.commit();
  else if (step[0] === "finish") save.finish(false, (saved) => { committed = saved; });
  else if (step[0] === "allow") delete (s.refuse || {})[step[1]];
}
console.log(JSON.stringify({ calls, launch, committed, data }));
process.exit(0); // a retry timer the saver may have left
"""


def run(scenario: dict) -> dict:
    if shutil.which("node") is None:
        pytest.skip("node not found")
    proc = subprocess.run(["node", "-e", HARNESS], input=json.dumps([[str(STATIC / f) for f in FILES], scenario]),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def names(calls: list) -> list[str]:
    return [c[0] for c in calls]


def test_get_last_error_only_after_a_false_and_refusals_for_good_hold_back_nothing():
    """Moodle 2004 refuses a pattern with 406: the rest of the interaction, the next one, the status and the
    commit still go; GetLastError is asked once, right after that "false"; nothing is written twice."""
    out = run({"edition": "scorm2004", "held": {"cmi.interactions._count": "0"},
               "refuse": {"cmi.interactions.0.correct_responses.0.pattern": "406"},
               "steps": [["record", 0], ["record", 1], ["put", "setStatus", False, False], ["commit"],
                         ["commit"], ["finish"]]})
    made = out["calls"]
    errors = [k for k, c in enumerate(made) if c[0] == "GetLastError"]
    assert len(errors) == 1 and made[errors[0] - 1][1] == "cmi.interactions.0.correct_responses.0.pattern"
    sets = [c[1] for c in made if c[0] == "SetValue"]
    assert len(sets) == len(set(sets)), "each element written once"
    for n in (0, 1):
        assert out["data"][f"cmi.interactions.{n}.id"] == f"q_{n}"
        assert out["data"][f"cmi.interactions.{n}.learner_response"] == "opt_b"
        assert out["data"][f"cmi.interactions.{n}.result"] == "incorrect"
    assert out["data"]["cmi.interactions.1.correct_responses.0.pattern"] == "opt_a"
    assert out["data"]["cmi.completion_status"] == "incomplete" and out["data"]["cmi.success_status"] == "failed"
    assert names(made).count("Commit") == 2, "one at the first commit, one at exit: the second had nothing to write"
    assert out["committed"] is True and names(made)[-1] == "Terminate"


def test_a_refusal_for_now_is_written_again_at_the_same_index():
    """A general set failure (351) on the id keeps the interaction; once the LMS takes writes it goes at the
    same index, and the next one after it."""
    out = run({"edition": "scorm2004", "refuse": {"cmi.interactions.0.id": "351"},
               "steps": [["record", 0], ["commit"], ["allow", "cmi.interactions.0.id"], ["record", 1], ["commit"]]})
    ids = [c[1] for c in out["calls"] if c[0] == "SetValue" and c[1].endswith(".id")]
    assert ids == ["cmi.interactions.0.id", "cmi.interactions.0.id", "cmi.interactions.1.id"]
    assert out["committed"] is True


def test_values_the_lms_holds_are_not_written_again_and_reads_are_kept():
    out = run({"edition": "scorm12", "held": {"cmi.core.lesson_location": "page-3", "cmi.suspend_data": "{}",
                                              "cmi.core.lesson_status": "incomplete"},
               "steps": [["put", "setLocation", "page-3"], ["put", "setSuspendData", "{}"],
                         ["put", "setStatus", False, None], ["commit"], ["put", "setLocation", "page-4"],
                         ["put", "setLocation", "page-4"], ["commit"]]})
    after = out["calls"][out["calls"].index(["--started"]) + 1:]
    assert after == [["LMSSetValue", "cmi.core.lesson_location", "page-4"], ["LMSCommit", ""]]
    gets = [c[1] for c in out["calls"] if c[0] == "LMSGetValue"]
    assert len(gets) == len(set(gets)) and "cmi.core.entry" not in gets


def test_review_mode_writes_and_commits_nothing_but_ends_the_session():
    out = run({"edition": "scorm2004", "held": {"cmi.mode": "review", "cmi.location": "cpd-record"},
               "steps": [["put", "setLocation", "assessment"], ["record", 0], ["commit"], ["finish"]]})
    assert out["launch"]["review"] is True and out["launch"]["location"] == "cpd-record"
    assert not {"SetValue", "Commit"} & set(names(out["calls"]))
    assert names(out["calls"])[-1] == "Terminate"


def test_saved_when_committed_though_the_lms_has_no_lmsfinish():
    """wagtail-lms's API has no LMSFinish: the commit went through, so the learner is told it was saved."""
    out = run({"edition": "scorm12", "missing": ["LMSFinish"], "steps": [["put", "setLocation", "p1"], ["finish"]]})
    assert out["committed"] is True
    assert "LMSGetLastError" not in names(out["calls"])


def test_location_and_suspend_data_read_whatever_the_entry_and_count_blank():
    """scormhost answers ab-initio and no _count while holding both: they are read, the count is 0."""
    out = run({"edition": "scorm2004", "held": {"cmi.entry": "ab-initio", "cmi.location": "p7",
                                                "cmi.suspend_data": "{\"v\":2}"}, "steps": []})
    assert (out["launch"]["location"], out["launch"]["suspendData"], out["launch"]["interactions"]) == \
        ("p7", "{\"v\":2}", 0)


def test_the_api_in_the_opener_of_the_top_window():
    """A course in a frame of a popup window the LMS opened: the API is in the popup's opener."""
    out = run({"edition": "scorm12", "inOpener": True, "steps": [["put", "setLocation", "p1"], ["commit"]]})
    assert names(out["calls"])[0] == "LMSInitialize" and out["data"]["cmi.core.lesson_location"] == "p1"


STATE = r"""
const vm = require("vm");
const fs = require("fs");
const [file, texts] = JSON.parse(fs.readFileSync(0, "utf8"));
const win = {};
win.window = win;
vm.runInContext(fs.readFileSync(file, "utf8"), vm.createContext({ window: win }));
const data = { fingerprint: "abcd1234", pages: [{ kind: "content" }], selfAssessment: null,
  assessment: { questions: [] } };
console.log(JSON.stringify(texts.map((t) => win.Elearn.state.decode(t, data))));
"""


def test_the_interaction_count_survives_a_republished_course():
    """Suspend data of another course version restarts the course, but its count of interactions is kept, so
    an LMS that answers "" for cmi.interactions._count is not written over from index 0."""
    if shutil.which("node") is None:
        pytest.skip("node not found")
    texts = ['{"v":2,"h":"abcd1234","p":"1","a":{"n":0},"i":31}', '{"v":2,"h":"00000000","p":"1","a":{"n":1},"i":57}',
             "not json", ""]
    proc = subprocess.run(["node", "-e", STATE], input=json.dumps([str(STATIC / "elearn-state.js"), texts]),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    same, other, broken, empty = json.loads(proc.stdout)
    assert (same["reset"], same["next"], same["saved"]["next"]) == (False, 31, 31)
    assert (other["reset"], other["saved"], other["next"]) == (True, None, 57)
    assert (broken["reset"], broken["next"]) == (True, 0)
    assert (empty["reset"], empty.get("next", 0)) == (False, 0)
