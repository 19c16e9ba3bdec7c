"""In Chromium, with scorm-again as the LMS (tests/browser/host.html): how long moving to the next page
takes, and how many LMS commits each page and the exit cause.

A measurement, not a test: ``measure`` returns the figures and bench/run.py reports them.
"""
from __future__ import annotations

import http.server
import statistics
import threading
import zipfile
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
HOST = REPO / "tests" / "browser" / "host.html"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
COMMITS = {"scorm12": "LMSCommit", "scorm2004": "Commit"}
FINISH = {"scorm12": "LMSFinish", "scorm2004": "Terminate"}
NEXT_PAGE = """async () => {
  const button = [...document.querySelectorAll('[data-action="next"]')].find(b => !b.disabled && b.offsetParent);
  if (!button) return null;
  const before = document.querySelector('.el-page:not([hidden])');
  const t0 = performance.now();
  button.click();
  await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));  // painted
  const after = document.querySelector('.el-page:not([hidden])');
  return after === before ? null : performance.now() - t0;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def measure(built: Path, work: Path) -> dict:
    """Figures for the SCORM 1.2 and 2004 packages of one stage found in ``built``."""
    missing = [str(p) for p in (CHROMIUM, REPO / "node_modules" / "scorm-again") if not p.exists()]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("python playwright")
    if missing:
        return {"skipped": f"not available: {', '.join(missing)}"}
    root = work / "site"
    root.mkdir(parents=True, exist_ok=True)
    (root / "host").mkdir(exist_ok=True)
    (root / "host" / "host.html").write_bytes(HOST.read_bytes())
    scorm_again = root / "node_modules" / "scorm-again" / "dist"
    scorm_again.mkdir(parents=True, exist_ok=True)
    (scorm_again / "scorm-again.js").write_bytes((REPO / "node_modules/scorm-again/dist/scorm-again.js").read_bytes())
    names = {}
    for fmt in COMMITS:
        zip_path = sorted(built.glob(f"*-{fmt}.zip"))[0]
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(root / "packages" / zip_path.stem)
        names[fmt] = zip_path.stem
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for fmt, name in names.items():
                results[fmt] = _one(browser, base, fmt, name)
            browser.close()
    finally:
        server.shutdown()
    return {"formats": results}


def _one(browser, base: str, fmt: str, name: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/host/host.html")
    page.evaluate("config => startLms(config)", {"format": fmt, "sco": f"/packages/{name}/index.html",
                                                  "learner": {"id": "bench", "name": "Bench, Learner"},
                                                  "entry": "ab-initio", "cmi": None})
    page.wait_for_function("() => { const d = document.getElementById('sco').contentDocument;"
                           " return d && d.documentElement && d.documentElement.dataset.elearnAdapter; }")
    frame = page.frame(name="sco")
    count = lambda call: page.evaluate(f"window.__calls.filter(c => c.name === '{call}').length")  # noqa: E731
    times, per_page = [], []
    while True:
        before = count(COMMITS[fmt])
        took = frame.evaluate(NEXT_PAGE)
        if took is None:
            break
        page.wait_for_timeout(50)  # let anything the page schedules after showing itself run
        times.append(took)
        per_page.append(count(COMMITS[fmt]) - before)
    before = count(COMMITS[fmt])
    page.evaluate("document.getElementById('sco').src = 'about:blank'")  # the learner leaves: pagehide
    page.wait_for_function(f"window.__calls.some(c => c.name === '{FINISH[fmt]}')")
    at_exit = count(COMMITS[fmt]) - before
    context.close()
    ordered = sorted(times)
    return {"pages": len(times) + 1, "next_ms_median": statistics.median(times), "next_ms_max": max(times),
            "next_ms_p90": ordered[int(0.9 * (len(ordered) - 1))],
            "commits_max_per_page": max(per_page), "commits_per_page_mean": statistics.mean(per_page),
            "commits_at_exit": at_exit}
