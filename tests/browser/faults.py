"""Faults for the browser tests: an LMS whose API refuses, throws or vanishes, commits that stay on their way.

``launch`` opens the test LMS (host.html + scorm-again) like ``sco.launch`` and, in the same call, wraps
the API's methods outside host.html's recording wrapper, so a refused call never reaches scorm-again (its
data stays as the LMS had it) and is counted in ``window.__refused``. The faults are switched from the
test through ``window.__fault``:

- ``set`` / ``commit``: an error code string (e.g. ``"101"``, ``"351"``, ``"391"``): SetValue / Commit
  answer ``"false"`` and GetLastError gives the code until the next call that is not an error call;
- ``gone``: every method throws and the global is deleted (the LMS window lost its API).

``window.__committed`` is what the LMS holds after its last successful commit (or finish): the data a
relaunch gets (``committed(page)``).

``settings`` are merged into host.html's scorm-again settings before the API is made (e.g. an
``lmsCommitUrl`` with ``useAsynchronousCommits``, so a commit can be on its way when the tab closes).
"""
from __future__ import annotations

import json

from sco import LEARNER

WRAP = """
({ format, global }) => {
  const api = window[global];
  const set = format === "scorm12" ? "LMSSetValue" : "SetValue";
  const commit = format === "scorm12" ? "LMSCommit" : "Commit";
  const errorCalls = /GetLastError|GetErrorString|GetDiagnostic/;
  window.__fault = { set: null, commit: null, gone: false, global };
  window.__refused = [];
  let injected = null;
  const names = format === "scorm12"
    ? ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"]
    : ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError", "GetErrorString", "GetDiagnostic"];
  names.forEach((name) => {
    const inner = api[name];
    api[name] = function (...args) {
      if (window.__fault.gone) {
        window.__refused.push({ name, args: args.map(String), code: "gone" });
        throw new Error("the LMS API has gone");
      }
      if (/GetLastError$/.test(name) && injected) return injected;
      const code = name === set ? window.__fault.set : (name === commit ? window.__fault.commit : null);
      if (code) {
        injected = code;
        window.__refused.push({ name, args: args.map(String), code });
        return "false";
      }
      if (!errorCalls.test(name)) injected = null;
      const result = inner.apply(this, args);
      if ((name === commit || /Finish|Terminate/.test(name)) && String(result) === "true") {
        window.__committed = JSON.parse(JSON.stringify(api.renderCMIToJSONObject().cmi));  // what the LMS kept
      }
      return result;
    };
  });
}
"""


def launch(page, server: str, package: str, fmt: str, cmi: dict | None = None, entry: str = "ab-initio",
           settings: dict | None = None, query: str = ""):
    """Open the host page, start scorm-again (with ``settings``), wrap its API for faults and load the
    SCO; returns its frame once the runtime has chosen its adapter."""
    page.goto(f"{server}/host/host.html")
    page.evaluate("""([config, settings, wrap]) => {
        Object.assign(SETTINGS, settings);  // host.html's scorm-again settings (a const object)
        startLms(config);  // the SCO's frame starts loading; nothing of it runs before this call returns
        (0, eval)(wrap)({ format: config.format, global: config.format === "scorm12" ? "API" : "API_1484_11" });
    }""", [{"format": fmt, "sco": f"/packages/{package}/index.html{query}", "learner": LEARNER, "entry": entry,
            "cmi": cmi}, settings or {}, WRAP])
    page.wait_for_function("() => { const d = document.getElementById('sco').contentDocument;"
                           " return d && d.documentElement && d.documentElement.dataset.elearnAdapter; }")
    return page.frame(name="sco")


def fault(page, **faults) -> None:
    """Switch faults on or off: ``fault(page, set="101", commit="391")``, ``fault(page, set=None)``,
    ``fault(page, gone=True)`` (the API's methods throw and ``window.API``/``API_1484_11`` is deleted)."""
    page.evaluate("""(faults) => {
        Object.assign(window.__fault, faults);
        if (faults.gone) delete window[window.__fault.global];
    }""", faults)


def refused(page) -> list[dict]:
    """The calls the faults refused (never reached scorm-again)."""
    return page.evaluate("window.__refused")


def status_line(frame) -> tuple[str, str, str]:
    """(text, role, level) of the status line."""
    line = frame.locator("[data-status]")
    return line.inner_text().strip(), line.get_attribute("role"), line.get_attribute("data-level")


def backup(frame) -> dict | None:
    """The runtime's SCORM backup in the SCO's localStorage (elearn-save.js), or None."""
    raw = frame.evaluate("() => { const k = Object.keys(localStorage).find((k) => k.startsWith('elearn-lms:'));"
                         " return k ? localStorage.getItem(k) : null; }")
    return json.loads(raw) if raw else None


def committed(page) -> dict | None:
    """The LMS's data as of its last successful commit (None before any)."""
    return page.evaluate("window.__committed || null")
