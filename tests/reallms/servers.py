"""Two real LMSs from PyPI for the tests, each in its own venv, started on 127.0.0.1 with SQLite.

- scormhost 0.1.x (FastAPI; ``.venv-scormhost``, or ``ELEARN_SCORMHOST_PYTHON``): ``scormhost_app.py``
  serves it; the first user registered is the administrator, who uploads with ``POST /api/packages``;
  a learner logs in and opens ``/launch/<id>``. It stores each learner's CMI elements as JSON under
  ``DATA/sessions/<id>/``.
- wagtail-lms 0.11.x (Wagtail 8, Django 5.2; ``.venv-wagtail-lms``, or ``ELEARN_WAGTAIL_PYTHON``): the
  project in ``wagtail_site/``; ``setup_course.py`` migrates, makes the users, uploads through the
  ``SCORMPackage`` model and makes the course pages; ``manage.py runserver`` serves it. It stores
  ``SCORMAttempt`` rows and one ``SCORMData`` row per element in ``DATA/db.sqlite3``.

``scripts/test.sh`` makes both venvs (rebuilt only when what they should hold changes). Nothing here
imports either LMS: the tests talk HTTP, drive Chromium, and read the LMS's own files.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from lrs.server import free_port, http_request

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VENVS = {"scormhost": ("ELEARN_SCORMHOST_PYTHON", REPO / ".venv-scormhost" / "bin" / "python"),
         "wagtail-lms": ("ELEARN_WAGTAIL_PYTHON", REPO / ".venv-wagtail-lms" / "bin" / "python")}
PASSWORD = "elearn-tests-pass-1"
LEARNER = "learner"


class LmsUnavailable(RuntimeError):
    """The LMS's venv is missing or it would not start; the message says why."""


def venv_python(lms: str) -> Path:
    variable, default = VENVS[lms]
    python = Path(os.environ.get(variable) or default)
    if not python.exists():
        raise LmsUnavailable(f"{lms}'s venv not found ({python}); run scripts/test.sh, which makes it")
    return python


@dataclass
class Process:
    """One LMS server process that this test session started (and only it is stopped)."""

    command: list[str]
    log: Path
    env: dict = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    def start(self, health: str, timeout: float = 60) -> None:
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(self.command, env={**os.environ, **self.env}, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.log.parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise LmsUnavailable(f"{self.command[1]} exited ({self.proc.returncode}):\n{self.log.read_text()}")
            try:
                if http_request("GET", health, timeout=2).status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise LmsUnavailable(f"{self.command[1]} did not answer within {timeout} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class Scormhost:
    """A running scormhost with an administrator; ``upload`` and ``stored`` work on its data folder."""

    data: Path
    base: str
    process: Process

    @classmethod
    def start(cls, data: Path) -> "Scormhost":
        python, port = venv_python("scormhost"), free_port()
        data.mkdir(parents=True, exist_ok=True)
        process = Process([str(python), str(HERE / "scormhost_app.py"), str(data), str(port)], data / "server.log")
        base = f"http://127.0.0.1:{port}"
        process.start(f"{base}/health")
        host = cls(data, base, process)
        for user in ("admin", LEARNER):  # the first user registered is the administrator
            reply = http_request("POST", f"{base}/api/auth/register", body={
                "email": f"{user}@example.org", "username": user, "password": PASSWORD,
                "display_name": "Okafor, Ada" if user == LEARNER else "Administrator"})
            assert reply.status in (200, 201), (reply.status, reply.body)
        return host

    def login(self, request_context, user: str) -> None:
        """Log in through the API (the session cookie lands in the playwright context)."""
        reply = request_context.post(f"{self.base}/api/auth/login",
                                     data={"email": f"{user}@example.org", "password": PASSWORD})
        assert reply.ok, reply.text()

    def upload(self, request_context, zip_path: Path, package_id: str) -> dict:
        """The administrator's upload: ``POST /api/packages`` with the zip as multipart ``file``."""
        self.login(request_context, "admin")
        reply = request_context.post(f"{self.base}/api/packages?package_id={package_id}", multipart={
            "file": {"name": zip_path.name, "mimeType": "application/zip", "buffer": zip_path.read_bytes()}})
        assert reply.status == 201, reply.text()
        return reply.json()

    def stored(self, package_id: str) -> dict[str, str]:
        """The learner's CMI elements as scormhost keeps them (one JSON file per learner and launch)."""
        files = sorted((self.data / "sessions" / package_id).glob("*.json"))
        learners = [json.loads(f.read_text(encoding="utf-8")) for f in files]
        assert len(learners) <= 1, f"{len(learners)} session files for one learner: {[f.name for f in files]}"
        return learners[0]["elements"] if learners else {}


@dataclass
class WagtailLms:
    """A running wagtail-lms site with a course whose lessons hold the uploaded packages."""

    data: Path
    base: str
    process: Process
    site: dict

    @classmethod
    def start(cls, data: Path, zips: list[Path]) -> "WagtailLms":
        python, port = venv_python("wagtail-lms"), free_port()
        data.mkdir(parents=True, exist_ok=True)
        env = {"ELEARN_WAGTAIL_DIR": str(data), "PYTHONDONTWRITEBYTECODE": "1"}
        setup = subprocess.run([str(python), str(HERE / "wagtail_site" / "setup_course.py"), LEARNER, PASSWORD,
                                *map(str, zips)], env={**os.environ, **env}, capture_output=True, text=True,
                               timeout=300)
        if setup.returncode != 0:
            raise LmsUnavailable(f"wagtail-lms setup failed ({setup.returncode}):\n{setup.stdout}\n{setup.stderr}")
        site = json.loads(setup.stdout.strip().splitlines()[-1])
        process = Process([str(python), str(HERE / "wagtail_site" / "manage.py"), "runserver",
                           f"127.0.0.1:{port}", "--noreload"], data / "server.log", env)
        base = f"http://127.0.0.1:{port}"
        process.start(f"{base}/accounts/login/")
        return cls(data, base, process, site)

    def stored(self, package: str) -> tuple[dict[str, str], list[dict]]:
        """The learner's ``SCORMData`` elements for one package, and their ``SCORMAttempt`` rows."""
        package_id = self.site["packages"][package]["package"]
        with sqlite3.connect(f"file:{self.data / 'db.sqlite3'}?mode=ro", uri=True) as db:
            db.row_factory = sqlite3.Row
            attempts = [dict(r) for r in db.execute(
                "SELECT a.* FROM wagtail_lms_scormattempt a JOIN auth_user u ON u.id = a.user_id "
                "WHERE u.username = ? AND a.scorm_package_id = ?", (LEARNER, package_id))]
            elements = {r["key"]: r["value"] for r in db.execute(
                "SELECT d.key, d.value FROM wagtail_lms_scormdata d WHERE d.attempt_id IN "
                f"({','.join('?' * len(attempts))})", [a["id"] for a in attempts])} if attempts else {}
        return elements, attempts
