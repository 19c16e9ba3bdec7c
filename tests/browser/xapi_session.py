"""Sessions of the cmi5, xAPI and SCORM packages against a real LRS (Ralph), and the statements they must send.

A ``Learner`` launches one package the way its LMS would: cmi5 through the test cmi5 LMS (fetch token,
``LMS.LaunchData``, State API; statements forwarded to Ralph), xAPI with a tincan launch URL straight to
Ralph (which has no State API: the package keeps its state in the browser), SCORM in the scorm-again
host page with ``endpoint`` and ``auth`` on the SCO's URL. ``Session`` drives the course like a learner
(self-assessment, pages, attempts, exit) and writes down, as it goes, the statements the course data
says must follow: (verb IRI, object IRI) in order. ``stored`` reads them back from Ralph.
"""
from __future__ import annotations

import json
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lrs.cmi5_lms import HOME_PAGE
from sco import LEARNER, answer_and_submit, course_data, drawn, go, lms_cmi, plan, rate, ratings, resume_cmi

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
XAPI_FORMATS = ("cmi5", "xapi", "scorm12", "scorm2004")
NETWORK_NOISE = ("Failed to load resource",)
"""Console errors Chromium logs for HTTP answers such as a State document's 404 or a refused connection:
expected here (Ralph has no State API; the tests stop it), unlike script errors."""


@pytest.fixture(scope="session")
def xapi_packages(built) -> None:
    """The programme built in every format (default settings: no LRS, no credential), unzipped under /packages/."""
    import subprocess
    import sys
    import zipfile

    target = built.root / "all-formats"
    if not target.exists():
        command = [sys.executable, "-m", "elearn_builder.cli", "build", "--source", str(REPO / "content"), "--output",
                   str(target), "--templates", str(REPO / "templates")]
        for fmt in XAPI_FORMATS:
            command += ["--format", fmt]
        proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
        if proc.returncode != 0:
            pytest.fail(f"elearn build failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        for zip_path in sorted(target.glob("*.zip")):
            with zipfile.ZipFile(zip_path) as zf:
                zf.extractall(built.packages / f"all-{zip_path.stem}")


@pytest.fixture(scope="session")
def lrs(ralph_factory, server):
    """A Ralph that pages of the test server may call."""
    return ralph_factory(origins=[server])


@pytest.fixture(scope="session")
def lms(cmi5_lms_factory, lrs, server):
    return cmi5_lms_factory(lrs, origins=[server])


@pytest.fixture
def fresh_lrs(lrs, lms):
    """Ralph running and empty, the cmi5 LMS with no launches."""
    lrs.start()
    lrs.reset()
    lms.reset()
    return lrs


def learner_browser(browser):
    """A browser context (one learner's browser: localStorage survives its tabs); script errors fail the test."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(15_000)
    ctx.errors = []
    yield ctx
    ctx.close()
    assert not ctx.errors, "\n".join(ctx.errors)


@pytest.fixture
def learner_context(browser):
    """The learner's browser (learner_browser)."""
    yield from learner_browser(browser)


def new_tab(context):
    """A tab in the learner's browser whose script errors fail the test (network noise aside)."""
    tab = context.new_page()
    tab.on("pageerror", lambda exc: context.errors.append(f"page error: {exc}"))
    tab.on("console", lambda msg: context.errors.append(f"console {msg.type}: {msg.text}")
           if msg.type == "error" and not msg.text.startswith(NETWORK_NOISE) else None)
    return tab


@dataclass
class Learner:
    """One learner of one stage's package in one format, across launches."""

    fmt: str
    stage: str
    server: str
    lrs: object
    lms: object
    actor: dict = field(default_factory=lambda: {"objectType": "Agent", "name": "Ada Okafor", "account": {
        "homePage": HOME_PAGE, "name": f"ada-{uuid.uuid4().hex[:8]}"}})
    registration: str | None = None
    activity_id: str | None = None
    cmi: dict | None = None
    launches: list = field(default_factory=list)
    launch_options: dict = field(default_factory=dict)

    @property
    def package(self) -> str:
        return f"all-reflective-supervision-{self.stage}-{self.fmt}"

    @property
    def scorm(self) -> bool:
        return self.fmt.startswith("scorm")

    def open(self, tab):
        """Launch the package in ``tab``; returns the frame the course runs in, once its tracker has started."""
        au_url = f"{self.server}/packages/{self.package}/index.html"
        if self.fmt == "cmi5":
            au = f"https://xapi.reflective-supervision.org.uk/stages/{self.stage}/au"
            launch = self.lms.launch(au_url, au, actor=self.actor, registration=self.registration,
                                     activity_id=self.activity_id, move_on="CompletedAndPassed", **self.launch_options)
            self.registration, self.activity_id = launch.registration, launch.activity_id
            self.launches.append(launch)
            tab.goto(launch.url)
            frame = tab.main_frame
        elif self.fmt == "xapi":
            self.registration = self.registration or str(uuid.uuid4())
            query = {"endpoint": self.lrs.endpoint, "auth": self.lrs.authorization, "actor": json.dumps(self.actor),
                     "registration": self.registration}
            tab.goto(f"{au_url}?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}")
            frame = tab.main_frame
        else:
            query = {"endpoint": self.lrs.endpoint, "auth": self.lrs.authorization}
            tab.goto(f"{self.server}/host/host.html")
            tab.evaluate("config => startLms(config)", {
                "format": self.fmt, "sco": f"/packages/{self.package}/index.html?{urllib.parse.urlencode(query)}",
                "learner": LEARNER, "entry": "resume" if self.cmi else "ab-initio", "cmi": self.cmi})
            frame = tab.frame(name="sco")
            frame.wait_for_function("() => window.Elearn && Elearn.active")
            self.registration = frame.evaluate("Elearn.active.conn.registration")
            self.actor = frame.evaluate("Elearn.active.conn.actor")
        frame.wait_for_function("() => window.Elearn && Elearn.active"
                                " && document.documentElement.dataset.elearnAdapter")
        return frame

    def left(self, tab) -> None:
        """What the SCORM LMS keeps for the next launch (after the SCO finished)."""
        if self.scorm:
            self.cmi = resume_cmi(lms_cmi(tab, self.fmt), self.fmt)


@dataclass
class Session:
    """Drives the course in one launch and writes down the statements it must send, in order."""

    learner: Learner
    frame: object
    expected: list
    data: dict = None

    def __post_init__(self):
        self.data = course_data(self.frame)
        self.A = self.data["xapi"]["activities"]
        self.verbs = {k: v["id"] for k, v in self.data["xapi"]["vocabulary"]["verbs"].items()}
        self.cmi5 = self.learner.fmt == "cmi5"
        self.course = self.learner.activity_id if self.cmi5 else self.A["course"]
        self.pending_failed = False
        self.criteria_checks = 0
        """Written answers checked against their criteria: each is an interaction of its own."""

    def expect(self, verb: str, obj: str) -> None:
        self.expected.append((self.verbs[verb], obj))

    def page_iri(self, page_id: str) -> str:
        return self.A["page"].replace("{id}", page_id)

    def started(self, first_page: str, resumed: bool = False) -> None:
        self.expect("initialized", self.course)
        if resumed:
            self.expect("resumed", self.course)
        self.expect("experienced", self.page_iri(first_page))

    def self_assess(self) -> list:
        rated = ratings(self.data)
        rate(self.frame, rated)
        for r in rated:
            self.expect("answered", self.A["statement"].replace("{id}", r.statement["id"]))
        self.expect("self-assessed", self.A["selfAssessment"])
        return rated

    def visit(self, page_ids) -> None:
        for page_id in page_ids:
            go(self.frame, page_id)
            self.expect("experienced", self.page_iri(page_id))

    def content_pages(self) -> list[str]:
        return [p["id"] for p in self.data["pages"] if p["kind"] == "content"]

    def attempt(self, passing: bool, retry: bool = False, completes: bool = False, pass_mark: float | None = None):
        """Answer the drawn questions (all wrong, or right up to the pass mark) and submit."""
        if retry:
            self.frame.locator('[data-action="retry"]').click()
        assessment = self.data["assessment"]
        questions = drawn(self.frame, assessment)
        answers, score = plan(questions, assessment["passMark"] if pass_mark is None else pass_mark, passing)
        answer_and_submit(self.frame, answers)
        for a in answers:
            self.expect("answered", self.A["question"].replace("{id}", a.question["id"]))
        self.expect("passed" if passing else "failed", self.A["assessment"])
        if self.cmi5 and passing:
            self.expect("passed", self.course)
            self.pending_failed = False
        elif self.cmi5:
            self.pending_failed = True
        if completes:
            self.expect("completed", self.course)
        for box in self.frame.locator("[data-criteria-for]:visible").all():  # a written answer checked
            box.locator("input").first.check()
            box.locator('[data-action="check-criteria"]').click()
            check = f'{box.get_attribute("data-criteria-for")}-criteria'
            self.expect("answered", self.A["question"].replace("{id}", check))
            self.criteria_checks += 1
        return answers, score

    def exit(self) -> None:
        self.frame.locator('[data-action="exit"]').first.click()
        if self.pending_failed:
            self.expect("failed", self.course)
        self.expect("suspended", self.course)
        self.expect("terminated", self.course)

    def made(self) -> list[str]:
        return self.frame.evaluate("Elearn.active.tracker.made()")

    def pending(self) -> int:
        return self.frame.evaluate("Elearn.active.queue.pending()")

    def drained(self, timeout: float = 30_000) -> None:
        self.frame.wait_for_function("() => Elearn.active.queue.pending() === 0", timeout=timeout)


def whole_session(learner: Learner, tab, expected: list) -> Session:
    """A first launch from start to exit: self-assessment, every content page, a failed and a passed attempt."""
    session = Session(learner, learner.open(tab), expected)
    session.started("self-assessment")
    session.self_assess()
    session.visit(session.content_pages() + ["assessment"])
    session.attempt(passing=False, completes=True)
    session.attempt(passing=True, retry=True)
    session.exit()
    return session


def stored(lrs, registration: str) -> list[dict]:
    """The registration's statements in Ralph, in timestamp order."""
    return sorted(lrs.statements(registration=registration, limit=100), key=lambda s: s["timestamp"])


def verbs_and_objects(statements: list[dict]) -> list[tuple[str, str]]:
    return [(s["verb"]["id"], s["object"]["id"]) for s in statements]


def problems(statements: list[dict], profile) -> list[str]:
    """Every problem any of the three statement checks finds, plus the profile's pattern per registration."""
    from lrs.validate import report, validate_with_learninglocker, validate_with_ralph

    from elearn_builder.xapi.template_rules import check_sequence, check_statement

    found = []
    for name, check in (("learninglocker", validate_with_learninglocker), ("ralph", validate_with_ralph)):
        result = check(statements)
        if any(result):
            found.append(f"{name}:\n{report(statements, result)}")
    found += [str(p) for s in statements for p in check_statement(s, profile)]
    found += [str(p) for p in check_sequence(statements, profile)]
    return found


CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
ADL = "http://adlnet.gov/expapi/verbs/"


def verb(statement: dict) -> str:
    return statement["verb"]["id"].removeprefix(ADL)


def categories(statement: dict) -> list[str]:
    return [c["id"] for c in statement["context"]["contextActivities"].get("category", [])]


def cmi5_problems(statements: list[dict], launches: list) -> list[str]:
    """What breaks cmi5's statement rules (section 9, RULES.md section 3) in one registration's statements:
    per session initialized first and terminated last (when the session ended normally), no cmi5-defined
    verb twice, at most one of passed/failed; per registration at most one completed and one passed, no
    failed after passed; cmi5-defined statements about the launch activityId, moveon exactly where the
    result has success or completion; every statement with its launch's context template."""
    found = []
    by_session: dict[str, list] = {}
    for s in sorted(statements, key=lambda s: s["timestamp"]):
        by_session.setdefault(s["context"]["extensions"].get(SESSION_ID), []).append(s)
    launch_of = {launch.session_id: launch for launch in launches}
    registration_verbs: list[str] = []
    for session_id, session in by_session.items():
        launch = launch_of.get(session_id)
        if launch is None:
            found.append(f"session {session_id}: no launch of the LMS has this session id")
            continue
        defined = [s for s in session if CMI5_CATEGORY in categories(s)]
        if verb(session[0]) != "initialized" or session[0] not in defined:
            found.append(f"session {session_id}: the first statement is {verb(session[0])}, not cmi5 initialized")
        ends = [i for i, s in enumerate(session) if verb(s) == "terminated"]
        if ends and ends != [len(session) - 1]:
            found.append(f"session {session_id}: terminated is not the last statement, or not the only one")
        names = [verb(s) for s in defined]
        if len(names) != len(set(names)) or sum(n in ("passed", "failed") for n in names) > 1:
            found.append(f"session {session_id}: cmi5-defined verbs {names}")
        registration_verbs += names
        for s in session:
            grouping = [a["id"] for a in s["context"]["contextActivities"].get("grouping", [])]
            if launch.publisher_id not in grouping:
                found.append(f"{s['id']}: the publisher id is missing from grouping")
            result = s.get("result", {})
            moveon = MOVEON_CATEGORY in categories(s)
            if s in defined:
                if s["object"]["id"] != launch.activity_id:
                    found.append(f"{s['id']}: a cmi5-defined statement about {s['object']['id']}")
                if moveon != ("success" in result or "completion" in result):
                    found.append(f"{s['id']}: moveon category {'with' if moveon else 'without'} success/completion")
            elif moveon:
                found.append(f"{s['id']}: moveon category on a cmi5-allowed statement")
    if registration_verbs.count("completed") > 1 or registration_verbs.count("passed") > 1:
        found.append(f"registration: cmi5-defined verbs {registration_verbs}")
    if "passed" in registration_verbs and "failed" in registration_verbs[registration_verbs.index("passed"):]:
        found.append("registration: failed after passed")
    return found
