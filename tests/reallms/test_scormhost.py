"""scormhost 0.1.x (PyPI), a real LMS: both SCORM editions uploaded through its API, three learner sessions,
then what it stored in its data folder.

Its quirks (scormhost/static/scorm12-api.js and scorm2004-api.js): ``cmi.entry`` is always
``ab-initio``; ``cmi.interactions._count``, ``cmi.credit`` and ``cmi.mode`` are ``""``; status and
score are kept only as the SCO wrote them; each Commit and Terminate PUTs every element, without waiting.
"""
from __future__ import annotations

import pytest

from .learner import sco_frame, three_sessions
from .servers import LEARNER, LmsUnavailable, Scormhost

STATUS = {
    "scorm12": (lambda e: (e.get("cmi.core.lesson_status"), e.get("cmi.core.score.raw")),
                lambda score: ("passed", str(score)), "cmi.core.lesson_location"),
    "scorm2004": (lambda e: (e.get("cmi.completion_status"), e.get("cmi.success_status"), e.get("cmi.score.raw"),
                             e.get("cmi.score.scaled")),
                  lambda score: ("completed", "passed", str(score), str(score / 100)), "cmi.location"),
}


@pytest.fixture(scope="module")
def scormhost(tmp_path_factory, lms_browser):
    try:
        host = Scormhost.start(tmp_path_factory.mktemp("scormhost"))
    except LmsUnavailable as exc:
        from .conftest import unavailable
        unavailable(str(exc))
    yield host
    host.process.stop()


class Learner:
    """The learner in scormhost: logs in through its API and opens ``/launch/<package>``."""

    api = "/api/scorm/"
    player_errors = ("Failed to fetch",)
    """scormhost's player PUTs the whole CMI with ``fetch(..., {keepalive: true})`` at every Commit and again at
    Terminate, and leaves a refused one unhandled: Chromium refuses keepalive bodies past its in-flight quota
    (64 KiB), which two 2004 CMIs of the three-session walk (about 34 KB each, measured) can reach at exit.
    The data of the Commit before it is stored; the test's checks of what scormhost stored, and of the next launch, decide."""

    def __init__(self, host: Scormhost, package_id: str):
        self.host, self.package_id, self.name = host, package_id, "scormhost"

    def login(self, context) -> None:
        self.host.login(context.request, LEARNER)

    def launch(self, page):
        page.goto(f"{self.host.base}/launch/{self.package_id}")
        return sco_frame(page, f"/content/{self.package_id}/")

    def stored(self) -> dict[str, str]:
        return self.host.stored(self.package_id)


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_three_sessions_in_scormhost(scormhost, lms_browser, lms_packages, fmt):
    package_id = f"esw-{fmt}"
    admin = lms_browser.new_context()
    uploaded = scormhost.upload(admin.request, lms_packages[fmt], package_id)
    admin.close()
    assert uploaded["manifest"]["launches"][0]["href"] == "index.html"
    status, earned, location = STATUS[fmt]
    report = three_sessions(lms_browser, Learner(scormhost, package_id), fmt, status, earned, location)
    print(f"scormhost {fmt}: {report}")
