"""LMS profiles for the browser tests: each reproduces the SCORM API behaviour of one real LMS, named after it.

The behaviour lives in ``lms-profiles.js`` (loaded into host.html, beside scorm-again); this module launches a
package under a profile, reads what that LMS kept, and names where each behaviour comes from in the LMS's own
code (read from the public source: moodle/moodle, and the wheels on PyPI of scormhost 0.1.0, wagtail-lms
0.11.1 and openedx-scorm-xblock 19.0.5; lines as in those versions).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from sco import LEARNER

SCRIPT = Path(__file__).resolve().parent / "lms-profiles.js"

PROFILES = {
    "moodle": {
        "name": "Moodle 4.x mod_scorm",
        "both": [
            "scorm-again for the specification's value formats and error codes (Moodle's datamodels implement "
            "the same RTE tables), plus what follows.",
            "Review mode on a relaunch after the attempt is complete: mod/scorm/lib.php scorm_check_mode(), "
            "'$mode = review' when no SCO is incomplete and no new attempt is forced; credit is then no-credit.",
            "The SCO in a popup window with the API in its opener: mod/scorm/player.php openpopup() "
            "(window.open of loadSCO.php) when the activity is set to open in a new window.",
        ],
        "scorm2004": [
            "mod/scorm/datamodels/scorm_13.js (moodle/moodle 139f32c) l.78 CMIShortIdentifier = '^[\\w\\.]{1,250}$'; "
            "l.107-118 learner_response and l.120ff correct_responses: choice, sequencing, matching (both sides of "
            "[.]) and likert values must match it; SetValue answers \"false\" and GetLastError 406 "
            "(SetValue, learner_response branch; CRcheckValueNodes for patterns).",
        ],
        "scorm12": [
            "mod/scorm/datamodels/scorm_12.js l.32 CMIIdentifier '^[\\u0021-\\u007E]{0,255}$' for interaction ids; "
            "responses and patterns are CMIFeedback = CMIString256 (no identifier rule).",
        ],
    },
    "scormhost": {
        "name": "scormhost 0.1.0",
        "both": [
            "scormhost/static/scorm12-api.js l.9-21 and scorm2004-api.js l.9-18: cmi.entry is 'ab-initio' in the "
            "defaults and never changes; cmi.interactions._count, cmi.credit and cmi.mode are not in them, so "
            "GetValue answers \"\" (scorm12-api.js l.85, scorm2004-api.js l.69).",
            "scorm12-api.js l.40-55 / scorm2004-api.js l.37-52 persistRemote(): every Commit and Finish/Terminate "
            "PUTs the whole CMI (asynchronously, keepalive); loadRemote() puts it back at the next launch.",
            "scorm2004-api.js l.82-84: GetLastError is always \"0\" (lastError is never set).",
        ],
    },
    "wagtail": {
        "name": "wagtail-lms 0.11.1",
        "both": [
            "wagtail_lms/templates/wagtail_lms/scorm_player.html l.29-127: the API has LMSTerminate but no LMSFinish; "
            "l.63-76 LMSSetValue and l.78-85 LMSCommit send asynchronous requests and answer \"true\" at once; "
            "l.55-61 LMSGetValue is a synchronous request; l.130-131 window.API_1484_11 is the same 1.2 object.",
            "wagtail_lms/views.py l.311-313: GetLastError is always \"0\"; l.356-387 get_scorm_value(): stored "
            "values, else defaults (entry 'ab-initio', mode 'normal', credit 'credit'), else \"\" (so "
            "cmi.interactions._count is \"\"); l.392-447 set_scorm_value(): status, location, suspend data and "
            "score go to the attempt row, every value to SCORMData.",
            "Its manifest reader knows only the SCORM 1.2 namespace, so no 2004 package gets a launch URL; if one "
            "did, API_1484_11 has no Initialize: the 2004 runtime must run standalone and say so.",
        ],
    },
    "xblock": {
        "name": "Open edX SCORM XBlock (openedx-scorm-xblock 19.0.5)",
        "both": [
            "openedxscorm/static/js/src/scormxblock.js l.185-193 and l.195-219: GetValue of lesson_status, "
            "completion_status, success_status, score.raw, score.scaled and cmi.mode sends a synchronous request "
            "whose answer is dropped (the success callback returns it to nobody): the SCO reads \"\"; any other "
            "element comes from the scorm_data kept for the learner, \"\" when absent (cmi.entry, _count).",
            "scormxblock.js l.224-276: SetValue queues the value, answers \"true\", and POSTs the queue "
            "asynchronously; static/js/src/scorm.js l.1-49: Initialize, Terminate and Commit answer \"true\" "
            "(Commit does nothing), GetLastError \"0\".",
            "Harsher than 19.0.5 (scormxblock.py l.933 keeps every value in scorm_data), as the issue found with "
            "the LMS around it: only the bookmark and the suspend data are given back at the next launch, and "
            "the suspend data is cut at the edition's limit (4096 / 64000 characters, RTE SPM).",
            "Its popup mode (scormxblock.js l.75-101) copies window.API and API_1484_11 onto the window it opens; "
            "the SCO is in a frame of that window (static/html/popup.html l.61) and finds them up parent, not in "
            "the opener: the profile keeps the SCO in the page's frame (Moodle's profile covers the opener).",
        ],
    },
}


def cited(profile: str, fmt: str) -> list[str]:
    """Where each behaviour of ``profile`` comes from, for ``fmt``."""
    p = PROFILES[profile]
    return p["both"] + p.get(fmt, [])


def launch(page, server: str, package: str, fmt: str, profile: str, stored: dict | None = None,
           popup: bool = False):
    """Open host.html as the LMS ``profile`` would, with what it kept (``stored``), and load the SCO; returns
    the SCO's frame (in a popup window when ``popup``: the API is then in its opener)."""
    for other in page.context.pages:  # the last session's popup window
        if other is not page:
            other.close()
    page.goto(f"{server}/host/host.html")
    page.add_script_tag(content=SCRIPT.read_text(encoding="utf-8"))
    config = {"profile": profile, "format": fmt, "sco": f"/packages/{package}/index.html", "learner": LEARNER,
              "stored": stored, "window": "popup" if popup else None}
    ready = ("() => { const d = document.documentElement;"
             " return d && d.dataset.elearnAdapter; }")
    if popup:
        with page.context.expect_page() as opened:
            page.evaluate("config => startProfile(config)", config)
        sco_page = opened.value
        errors = popup_errors(page)
        sco_page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
        sco_page.on("console", lambda msg: errors.append(f"console error: {msg.text}") if msg.type == "error" else None)
        sco_page.wait_for_function(ready)
        return sco_page.main_frame
    page.evaluate("config => startProfile(config)", config)
    page.wait_for_function("() => { const d = document.getElementById('sco').contentDocument;"
                           " return d && d.documentElement && d.documentElement.dataset.elearnAdapter; }")
    return page.frame(name="sco")


def popup_errors(page) -> list[str]:
    """Script errors of the popup windows this page opened (the page fixture sees only its own)."""
    return page.__dict__.setdefault("elearn_popup_errors", [])


def settle(page) -> dict | None:
    """What the LMS keeps, once its asynchronous requests have landed."""
    page.wait_for_function("window.__inflight === 0")
    return page.evaluate("window.__store || null")


def calls(page) -> list[dict]:
    """Every API call the SCO made: {name, args, result}."""
    return page.evaluate("window.__calls")


def nested(flat: dict) -> dict:
    """Flat ``cmi.a.b`` keys as the nested dict scorm-again renders (``interactions`` by index)."""
    out: dict = {}
    for key, value in flat.items():
        parts = key.split(".")[1:]
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def cmi(store: dict | None, profile: str) -> dict:
    """What the LMS holds as scorm-again renders it."""
    if not store:
        return {}
    if profile == "moodle":
        return store["cmi"]
    out = nested(store["cmi"])
    for interaction in out.get("interactions", {}).values():  # never written: empty, as scorm-again renders it
        interaction.setdefault("correct_responses", {})
        interaction.setdefault("weighting", "")
    return out


INTERACTION_ID = re.compile(r"^cmi\.interactions\.(\d+)\.id$")


def interaction_writes(made: list[dict]) -> list[int]:
    """The index of every interaction id written, in order (refused or not)."""
    return [int(m.group(1)) for c in made if c["name"].endswith("SetValue")
            for m in [INTERACTION_ID.match(c["args"][0])] if m]


def refused(made: list[dict]) -> list[dict]:
    """Writes and commits the LMS answered "false" to."""
    return [c for c in made if re.search(r"SetValue|Commit$", c["name"]) and c["result"] == "false"]


def error_calls_without_cause(made: list[dict]) -> list[dict]:
    """GetLastError calls that did not follow a call answering "false"."""
    out, before = [], None
    for c in made:
        if c["name"].endswith("GetLastError") and (before is None or before["result"] != "false"):
            out.append(c)
        if not re.search(r"GetLastError|GetErrorString|GetDiagnostic", c["name"]):
            before = c
    return out


def suspend(store_cmi: dict) -> dict:
    return json.loads(store_cmi.get("suspend_data") or "null") or {}
