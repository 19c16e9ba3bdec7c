"""LMS API calls over the three-session walk (issue 13): ``python bench/lmscalls.py [--stage ID] [--before REV]``.

A measurement, not a test. One stage's SCORM 1.2 and 2004 packages are built from the working tree, and a
copy of each gets the runtime of git revision ``--before`` (default e8665ed, the runtime before issue 13:
its theme/static/*.js in the package's assets/, the adapter behind package.js's settings line). Both run in
Chromium against scorm-again (tests/browser/host.html, which records every call the SCO makes, GetLastError
included) through the walk of tests/browser/test_lms_profiles.py:

1. rate the self-assessment, read every content page, save and exit;
2. relaunch (the LMS's data, entry resume): back at the bookmark; the self-assessment shown; the assessment
   failed, retried, passed; the CPD record; save and exit;
3. relaunch: the CPD record, the assessment, the record again; exit.

Reported per edition and runtime: API calls per session and in all, pages shown, the calls made by the
self-assessment's and the assessment's submissions, the calls per page shown outside them (target: at most
4 on average), the whole walk against the runtime before (target: at least 50% fewer), and the runtime's
weight (our JS in the package, gzip -9 per file, as bench/run.py counts it).
"""
from __future__ import annotations

import argparse
import gzip
import http.server
import json
import subprocess
import sys
import tempfile
import threading
import zipfile
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "browser"))
import sco  # noqa: E402  (the browser tests' own answering helpers: the same walk as the tests)

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
STATIC = "src/elearn_builder/theme/static"
ADAPTER = {"scorm12": "adapter-scorm12.js", "scorm2004": "adapter-scorm2004.js"}
READ_TO = """async (stop) => {
  for (let shown = 0; ; shown += 1) {
    if (document.querySelector('.el-page:not([hidden])').dataset.pageId === stop) return shown;
    [...document.querySelectorAll('[data-action="next"]')].find((b) => !b.disabled && b.offsetParent).click();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def old_runtime(package: Path, rev: str, fmt: str) -> None:
    """Put revision ``rev``'s runtime into an unzipped package (same course data, same pages)."""
    assets = package / "assets"
    for path in assets.glob("*.js"):
        if path.name == "package.js":
            continue
        path.write_bytes(subprocess.run(["git", "show", f"{rev}:{STATIC}/{path.name}"], cwd=REPO, check=True,
                                        capture_output=True).stdout)
    settings = (assets / "package.js").read_text(encoding="utf-8").split("\n", 1)[0]
    adapter = subprocess.run(["git", "show", f"{rev}:{STATIC}/{ADAPTER[fmt]}"], cwd=REPO, check=True,
                             capture_output=True, text=True).stdout
    (assets / "package.js").write_text(f"{settings}\n{adapter}", encoding="utf-8")


def weight(package: Path) -> int:
    """Our JS in the package, gzip -9 per file."""
    return sum(len(gzip.compress(p.read_bytes(), 9, mtime=0)) for p in sorted((package / "assets").glob("*.js")))


def launch(page, fmt: str, name: str, cmi: dict | None):
    page.goto(f"{BASE}/host/host.html")
    page.evaluate("config => startLms(config)", {
        "format": fmt, "sco": f"/packages/{name}/index.html", "learner": sco.LEARNER,
        "entry": "resume" if cmi else "ab-initio", "cmi": cmi})
    page.wait_for_function("() => { const d = document.getElementById('sco').contentDocument;"
                           " return d && d.documentElement && d.documentElement.dataset.elearnAdapter; }")
    return page.frame(name="sco")


def walk(browser, fmt: str, name: str) -> dict:
    """The three sessions; the calls of each (every call, GetLastError included) and of the submissions."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    count = lambda: page.evaluate("window.__calls.length")  # noqa: E731
    sessions, submissions, pages = [], 0, 0

    frame = launch(page, fmt, name, None)
    data = sco.course_data(frame)
    a = data["assessment"]
    contents = [p["id"] for p in data["pages"] if p["kind"] == "content"]
    rated = sco.ratings(data, seed=5)
    for r in rated:
        frame.locator(f'#sa-{r.statement["id"]}-{r.point}').check()
    before = count()
    frame.locator('[data-action="sa-submit"]').click()
    submissions += count() - before
    pages += 1 + frame.evaluate(READ_TO, contents[-1])
    frame.locator('[data-action="exit"]').first.click()
    sessions.append(count())

    for third in (False, True):
        cmi = sco.resume_cmi(sco.lms_cmi(page, fmt), fmt)
        frame = launch(page, fmt, name, cmi)
        if third:
            sco.go(frame, "assessment")
            sco.go(frame, "cpd-record")
            pages += 3
        else:
            sco.go(frame, "self-assessment")
            sco.go(frame, "assessment")
            for passing in (False, True):
                if passing:
                    frame.click('[data-action="retry"]')
                answers, _ = sco.plan(sco.drawn(frame, a), a["passMark"], passing=passing)
                sco.fill(frame, answers)
                before = count()
                frame.locator('[data-action="submit"]').click()
                submissions += count() - before
            frame.click('[data-action="next"]')
            pages += 4
        frame.locator('[data-action="exit"]').first.click()
        sessions.append(count())
    context.close()
    total = sum(sessions)
    return {"sessions": sessions, "total": total, "pages": pages, "submissions": submissions,
            "per_page_outside": round((total - submissions) / pages, 2)}


BASE = ""


def main() -> None:
    global BASE
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--stage", default="experienced-social-worker")
    parser.add_argument("--before", default="e8665ed", help="git revision of the runtime to compare with")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root, out = Path(tmp) / "site", Path(tmp) / "out"
        subprocess.run([sys.executable, "-m", "elearn_builder.cli", "build", "--source", "content", "--output",
                        str(out), "--templates", "templates", "--stage", args.stage, "-f", "scorm12", "-f",
                        "scorm2004"], cwd=REPO, check=True, capture_output=True)
        (root / "host").mkdir(parents=True)
        (root / "host" / "host.html").write_bytes((REPO / "tests/browser/host.html").read_bytes())
        dist = root / "node_modules/scorm-again/dist"
        dist.mkdir(parents=True)
        (dist / "scorm-again.js").write_bytes((REPO / "node_modules/scorm-again/dist/scorm-again.js").read_bytes())
        names = {}
        for fmt in ADAPTER:
            zip_path = next(out.glob(f"*-{fmt}.zip"))
            for variant in ("before", "after"):
                target = root / "packages" / f"{zip_path.stem}-{variant}"
                with zipfile.ZipFile(zip_path) as zf:
                    zf.extractall(target)
                if variant == "before":
                    old_runtime(target, args.before, fmt)
                names[fmt, variant] = target.name
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        BASE = f"http://127.0.0.1:{server.server_address[1]}"
        results = {}
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
                for (fmt, variant), name in names.items():
                    results[f"{fmt} {variant}"] = {**walk(browser, fmt, name),
                                                   "runtime_gzip": weight(root / "packages" / name)}
                browser.close()
        finally:
            server.shutdown()
    for key, r in results.items():
        print(f"{key:17} calls {'+'.join(map(str, r['sessions']))} = {r['total']:4} over {r['pages']} pages; "
              f"submissions {r['submissions']}; {r['per_page_outside']} per page outside them; "
              f"runtime {r['runtime_gzip'] / 1024:.1f} KiB gzipped")
    for fmt in ADAPTER:
        b, a = results[f"{fmt} before"], results[f"{fmt} after"]
        print(f"{fmt}: {a['total']} calls against {b['total']} ({100 * (1 - a['total'] / b['total']):.0f}% fewer); "
              f"runtime {100 * (a['runtime_gzip'] / b['runtime_gzip'] - 1):+.1f}% gzipped")
    (REPO / "bench" / ".work").mkdir(exist_ok=True)
    (REPO / "bench" / ".work" / "lmscalls.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
