"""The XSS corpus (tests/xss/payloads.yaml) built into a course and fed to the analyst report executes nothing.

Chromium gets a hook before any page script (``add_init_script``, every frame): ``window.__xss``,
``alert``, ``confirm``, ``prompt`` and ``print`` record their calls; dialogs and navigations to
``javascript:``/``data:`` are recorded too. Every page of the built package is shown (in scorm-again's
host page as SCORM 2004, and standalone), with hover, focus and pointer events sent to every element
of the author's content, the self-assessment rated, every question answered and its feedback shown,
and the CPD record opened. Then nothing may have run, and the page's DOM holds no handler attribute,
no refused URL and no element that runs script beyond the runtime's own.
"""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sco
from xss.corpus import PAYLOADS, hostile_statements, write_course

from elearn_builder.xapi.generate import generate_statements
from elearn_builder.render.stage import RUNTIME_SCRIPTS

REPO = Path(__file__).resolve().parents[2]

HOOK = """(() => {
  const hits = [];
  Object.defineProperty(window, "__xssHits", { value: hits });
  const record = (how) => function (arg) { hits.push(`${how}:${String(arg)}`); };
  window.__xss = record("__xss");
  for (const name of ["alert", "confirm", "prompt", "print"]) window[name] = record(name);
})();"""
STIR = """root => {
  const names = ["mouseover", "mouseenter", "pointerover", "pointerenter", "focus", "focusin", "animationstart",
                 "toggle", "load", "error", "click"];
  let n = 0;
  for (const el of root.querySelectorAll("*")) {
    for (const type of names) {
      if (type === "click" && el.closest("a[href], button, form")) continue;  // links and buttons: no navigation
      el.dispatchEvent(new Event(type, { bubbles: true }));
    }
    n += 1;
  }
  return n;
}"""
AUDIT = """() => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name) || ["srcdoc", "formaction"].includes(attr.name))
        bad.push(`${el.tagName} ${attr.name}`);
      if (["href", "src", "action", "data", "background", "poster"].includes(attr.name)
          && /^(javascript|vbscript|data):/i.test(attr.value.replace(/[\\u0000-\\u0020]/g, "")) && el.rel !== "icon")
        bad.push(`${el.tagName} ${attr.name}=${attr.value}`);
    }
  }
  for (const sel of ["iframe", "object", "embed", "base", "meta[http-equiv]", "svg", "math", "template", "noscript *",
                     "link:not([rel=stylesheet]):not([rel=icon])", "input[autofocus]", "[style*=expression]"]) {
    document.querySelectorAll(sel).forEach(el => bad.push(`element ${sel}`));
  }
  const scripts = [...document.scripts].map(s => s.src ? new URL(s.src).pathname.split("/").pop() : s.id || s.type);
  return { bad, scripts, forms: document.forms.length, data: document.getElementById("elearn-data").tagName,
           pages: document.querySelectorAll(".el-page").length };
}"""

OUR_BARS = """() => {
  const svgs = [...document.querySelectorAll("svg")];
  const ours = svgs.filter(s => s.matches('svg.bar[aria-hidden="true"]')
    && [...s.querySelectorAll("*")].every(e => e.localName === "rect" && e.attributes.length === 5));
  return ours.length === svgs.length ? ours.length : -1;
}"""


class Watch:
    """A browser context with the hook in every frame; records dialogs, script navigations and page errors."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(10_000)
        self.context.add_init_script(HOOK)
        self.context.route(lambda url: not url.startswith(("http://127.0.0.1", "file:")), lambda route: route.abort())
        self.page = self.context.new_page()
        self.dialogs, self.navigations, self.errors = [], [], []
        self.page.on("dialog", lambda d: (self.dialogs.append(f"{d.type}:{d.message}"), d.dismiss()))
        self.page.on("framenavigated", lambda f: self.navigations.append(f.url)
                     if f.url.split(":", 1)[0].lower() in ("javascript", "data", "vbscript") else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def hits(self) -> list[str]:
        return [hit for frame in self.page.frames for hit in frame.evaluate("window.__xssHits || []")]

    def assert_nothing_ran(self) -> None:
        assert self.hits() == [] and self.dialogs == [] and self.navigations == [], \
            (self.hits(), self.dialogs, self.navigations)
        assert self.errors == []


@pytest.fixture
def watch(browser):
    w = Watch(browser)
    yield w
    w.context.close()


@pytest.fixture(scope="session")
def xss_package(built) -> str:
    """The corpus course (without the refused links, which fail the build) built as SCORM 2004 and unzipped."""
    source = built.root / "xss-course"
    if not source.exists():
        write_course(source, with_refused=False)
        out = built.root / "xss-build"
        proc = subprocess.run([sys.executable, "-m", "elearn_builder.cli", "build", "--source", str(source),
                               "--output", str(out), "--format", "scorm2004", "--stage", "social-worker",
                               "--templates", str(built.root / "no-author-templates")],
                              cwd=REPO, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert "[html.removed]" in proc.stderr
        with zipfile.ZipFile(out / "mini-social-worker-scorm2004.zip") as zf:
            zf.extractall(built.packages / "xss-social-worker-scorm2004")
    return "xss-social-worker-scorm2004"


def walk_course(watch: Watch, frame) -> dict:
    """Show every page in order, rate, answer, open feedback and the CPD record; stir every element."""
    data = sco.course_data(frame)
    seen, stirred = [], 0
    for index, entry in enumerate(data["pages"]):
        if index:
            frame.locator('[data-action="next"]').click()
        section = frame.locator(f'#page-{entry["id"]}')
        section.wait_for(state="visible")
        seen.append(entry["id"])
        if entry["kind"] == "self-assessment":
            sco.rate(frame, sco.ratings(data))
            frame.locator("[data-gap-profile]").wait_for(state="visible")
        if entry["kind"] == "assessment":
            a = data["assessment"]
            answers, _ = sco.plan(sco.drawn(frame, a), a["passMark"], passing=False)
            sco.fill(frame, answers)
            typed = "".join(p["text"] for p in PAYLOADS if "__xss" in p["text"])  # the learner types payloads too
            frame.locator('[data-question-id="xss-typed"] [data-text]').fill(typed[:250])
            frame.locator('[data-question-id="xss-written"] [data-text]').fill(typed[:4000])
            frame.locator('[data-action="submit"]').click()
            frame.locator('[data-feedback="incorrect"]:not([hidden])').first.wait_for(state="visible")
        stirred += section.evaluate(STIR)
    assert seen == [p["id"] for p in data["pages"]]
    return {"pages": len(seen), "elements": stirred, "data": data}


def check_page(watch: Watch, frame, walked: dict) -> None:
    watch.assert_nothing_ran()
    audit = frame.evaluate(AUDIT)
    assert audit["bad"] == [], audit["bad"]
    assert audit["forms"] == 2 and audit["data"] == "SCRIPT" and audit["pages"] == len(walked["data"]["pages"])
    assert sorted(audit["scripts"]) == sorted(["elearn-data", "package.js", *RUNTIME_SCRIPTS])
    titles = {p["id"]: p["title"] for p in walked["data"]["pages"]}
    for number, payload in enumerate(PAYLOADS, start=1):  # titles: shown as text, exactly, braces not evaluated
        expected = f'{payload["id"]} {payload["text"]}'.strip()
        assert titles[f"xss-{number}"] == expected
        assert frame.locator(f"#title-xss-{number}").text_content() == expected


def test_the_hook_sees_what_runs(watch, server):
    """The control: the same hook, listeners and audit catch a handler, a script, a dialog call and a
    javascript: link when they are not sanitised away."""
    watch.page.goto(f"{server}/host/host.html")
    watch.page.evaluate("""() => {
      document.body.insertAdjacentHTML("beforeend",
        '<img src="x" onerror="__xss(1)"><a id="js" href="javascript:alert(2)">j</a>');
      const s = document.createElement("script"); s.textContent = "confirm(3)"; document.body.append(s);
    }""")
    watch.page.click("#js")
    watch.page.wait_for_function("window.__xssHits.length >= 3")
    assert sorted(watch.hits()) == ["__xss:1", "alert:2", "confirm:3"]
    audit = watch.page.evaluate(AUDIT.replace('document.getElementById("elearn-data").tagName', '""'))
    assert audit["bad"] == ["IMG onerror", "A href=javascript:alert(2)", "element iframe"]  # host.html's SCO frame
    watch.page.evaluate("window.__xssHits.length = 0")


def test_corpus_in_scorm_again_executes_nothing(watch, server, xss_package, record_property):
    frame = sco.launch(watch.page, server, xss_package, "scorm2004")
    walked = walk_course(watch, frame)
    check_page(watch, frame, walked)
    assert len(watch.page.frames) == 2  # the host and the SCO: no frame came from the content
    record_property("pages", walked["pages"])
    record_property("elements stirred", walked["elements"])


def test_corpus_standalone_executes_nothing(watch, server, xss_package):
    frame = sco.open_standalone(watch.page, server, xss_package)
    walked = walk_course(watch, frame)
    check_page(watch, frame, walked)
    record = frame.locator("#page-cpd-record").inner_text()
    assert '<script>__xss("x01")</script>' in record  # the written answer, shown in the CPD record as typed


@pytest.mark.parametrize("organisation_from", ["extension", "homepage"])
def test_baseline_report_with_hostile_statements_executes_nothing(watch, tmp_path, organisation_from):
    statements, placed = hostile_statements(list(generate_statements(seed=7, learners=len(PAYLOADS) + 4)))
    source = tmp_path / "statements.jsonl"
    source.write_text("".join(json.dumps(s) + "\n" for s in statements), encoding="utf-8")
    report = tmp_path / "baseline.html"
    proc = subprocess.run([sys.executable, "-m", "elearn_builder.cli.commands", "report", "baseline", str(source), "--html",
                           str(report), "--organisation-from", organisation_from],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    watch.page.goto(report.as_uri())
    assert watch.page.locator("body").evaluate(STIR) > 100
    watch.assert_nothing_ran()
    audit = watch.page.evaluate(AUDIT.replace('document.getElementById("elearn-data").tagName', '""'))
    ours = watch.page.evaluate(OUR_BARS)  # the report's own bars: hidden from assistive technology, rects only
    assert ours > 0 and audit["bad"] == ["element svg"] * ours and audit["scripts"] == []
    text = watch.page.locator("body").inner_text()
    shown = {p["id"] for p in PAYLOADS if " ".join(p["text"].split()) in " ".join(text.split())}
    assert len(shown) == len(PAYLOADS), sorted({p["id"] for p in PAYLOADS} - shown)  # every payload, as text
    assert {place for _, place in placed} >= {"organisation", "stage", "key area", "learner name"}
