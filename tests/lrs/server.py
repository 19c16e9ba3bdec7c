"""A real Learning Record Store for the tests: Ralph, started in its own venv on 127.0.0.1.

Ralph (PyPI ``ralph-malph`` 5.1.0) pins fastapi, uvicorn and click exactly, so it lives in its own
venv (``.venv-ralph``, made by ``scripts/test.sh``, which exports ``ELEARN_RALPH_PYTHON``) and is
started as a subprocess through ``scripts/ralph/launch.py`` (file-system backend, with the fixes
for its two fs-backend bugs). Nothing here imports Ralph: the tests talk HTTP with the standard
library only.

Quirks of Ralph worth knowing when writing assertions (see also ``../shared/TESTING.md``):
results come oldest first (``ascending=true`` gives newest first); a page size of at most 100
(``RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT``), and when the total is a multiple of ``limit`` there
is a last, empty page; a POST whose statements are all known answers 204, a different statement
with a known id 409; it accepts statements a strict validator rejects (see ``validate.py``); no
State API, no ``/about``, no ``X-Experience-API-Version`` header in its answers.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "scripts" / "ralph" / "launch.py"
DEFAULT_VENV_PYTHON = REPO / ".venv-ralph" / "bin" / "python"
XAPI_VERSION = "1.0.3"
STATEMENTS_FILE = "fs_lrs.jsonl"  # the fs backend's one file (FSLRSBackendSettings.DEFAULT_LRS_FILE)


class RalphUnavailable(RuntimeError):
    """Ralph's venv is missing or Ralph would not start; the message says why."""


def find_ralph_python() -> Path:
    """The Python of Ralph's venv: ``$ELEARN_RALPH_PYTHON``, else ``.venv-ralph`` in the repository."""
    configured = os.environ.get("ELEARN_RALPH_PYTHON")
    python = Path(configured) if configured else DEFAULT_VENV_PYTHON
    if not python.exists():
        where = f"ELEARN_RALPH_PYTHON={configured}" if configured else f"{python.relative_to(REPO)}"
        raise RalphUnavailable(f"Ralph's venv not found ({where}); run scripts/test.sh, which makes .venv-ralph "
                               "and sets ELEARN_RALPH_PYTHON")
    return python


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Reply:
    """An HTTP answer: status, headers (lower-case names) and body; ``json()`` decodes the body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def http_request(method: str, url: str, *, body: Any = None, headers: dict[str, str] | None = None,
                 timeout: float = 30) -> Reply:
    """One HTTP request with urllib; 4xx and 5xx are answers, not exceptions. ``body`` is JSON-encoded
    unless it is bytes."""
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None and not request.has_header("Content-type"):
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


@dataclass(frozen=True)
class Credentials:
    """One Ralph user, written by ``ralph auth`` into ``auth_file``."""

    username: str
    password: str
    mbox: str
    auth_file: Path

    @property
    def token(self) -> str:
        """base64 of ``user:password``: the cmi5 auth-token, and the Basic credentials."""
        return base64.b64encode(f"{self.username}:{self.password}".encode()).decode()

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value."""
        return f"Basic {self.token}"


def create_credentials(python: Path, folder: Path, username: str = "elearn-tests") -> Credentials:
    """Write a user with every scope into ``folder/auth.json`` with ``ralph auth`` (bcrypt: about 2 s)."""
    folder.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(18)
    mbox = f"mailto:{username}@example.org"  # email-validator refuses .test names
    auth_file = folder / "auth.json"
    env = {**os.environ, "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_APP_DIR": str(folder),
           "RALPH_AUTH_FILE": str(auth_file)}
    ralph_cli = python.parent / "ralph"
    proc = subprocess.run([str(ralph_cli), "auth", "-u", username, "-p", password, "-s", "all", "-M", mbox, "-w"],
                          env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not auth_file.is_file():
        raise RalphUnavailable(f"`ralph auth` failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return Credentials(username, password, mbox, auth_file)


@dataclass
class RalphServer:
    """One Ralph process on 127.0.0.1; ``start()``/``stop()`` keep the port and the statements.

    ``origins`` are the page origins (``http://127.0.0.1:PORT``) allowed to call it from a browser.
    """

    python: Path
    credentials: Credentials
    data_dir: Path
    origins: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    """Extra environment for the launcher, e.g. ``{"RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": "1000"}``."""
    startup_timeout: float = 30.0
    _process: subprocess.Popen | None = field(default=None, repr=False)

    # -- addresses and credentials -------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        """The xAPI endpoint, with its trailing slash (the launch parameter form)."""
        return f"{self.base_url}/xAPI/"

    @property
    def username(self) -> str:
        return self.credentials.username

    @property
    def password(self) -> str:
        return self.credentials.password

    @property
    def authorization(self) -> str:
        """``Basic ...``: the value of the ``Authorization`` header."""
        return self.credentials.authorization

    @property
    def auth_token(self) -> str:
        """The cmi5 auth-token (base64 of ``user:password``)."""
        return self.credentials.token

    @property
    def statements_file(self) -> Path:
        return self.data_dir / STATEMENTS_FILE

    @property
    def log_file(self) -> Path:
        return self.data_dir / f"ralph-{self.port}.log"

    # -- process ---------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> "RalphServer":
        """Start the launcher and wait until Ralph answers (well under a second after imports)."""
        if self.running:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [str(self.python), str(LAUNCHER), "--port", str(self.port), "--data-dir", str(self.data_dir),
                   "--auth-file", str(self.credentials.auth_file), "--exit-with-parent"]
        for origin in self.origins:
            command += ["--cors-origin", origin]
        env = {**os.environ, "RALPH_APP_DIR": str(self.data_dir), **self.env}
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, cwd=self.data_dir)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RalphUnavailable(f"Ralph exited with {self._process.returncode} on start:\n{self.log_tail()}")
            try:
                if http_request("GET", f"{self.base_url}/__lbheartbeat__", timeout=2).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RalphUnavailable(f"Ralph did not answer within {self.startup_timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the process this object started (and only that one); the statements stay on disk."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def restart(self) -> "RalphServer":
        self.stop()
        return self.start()

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def reset(self) -> None:
        """Forget every statement. The fs backend reads its one file on every request and appends
        to it, so truncating it (while no request is in flight) empties the store."""
        if self.statements_file.exists():
            with self.statements_file.open("r+b") as handle:
                handle.truncate(0)
        if self.running:
            left = self.statements()
            assert not left, f"Ralph still has {len(left)} statements after reset"

    # -- xAPI --------------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: dict | None = None, body: Any = None,
                headers: dict[str, str] | None = None, auth: tuple[str, str] | None = None,
                timeout: float = 30) -> Reply:
        """A request to ``endpoint + path`` (e.g. ``"statements"``) with our credentials (or ``auth``)
        and the version header; absolute paths (``/xAPI/...``) are taken from the server root."""
        url = urllib.parse.urljoin(self.endpoint, path)
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(encode_params(params))
        authorization = self.authorization if auth is None else \
            "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        all_headers = {"Authorization": authorization, "X-Experience-API-Version": XAPI_VERSION, **(headers or {})}
        return http_request(method, url, body=body, headers=all_headers, timeout=timeout)

    def post(self, statements: dict | list[dict]) -> Reply:
        """POST one statement or a list; Ralph answers 200 with the new ids, 204 when all were known."""
        return self.request("POST", "statements", body=statements)

    def put(self, statement: dict) -> Reply:
        """PUT one statement by its id (204)."""
        return self.request("PUT", "statements", params={"statementId": statement["id"]}, body=statement)

    def statements(self, max_pages: int = 100_000, **filters: Any) -> list[dict]:
        """Every statement matching the xAPI ``filters`` (agent as a dict, verb, activity, registration,
        related_activities, since, until, limit ...), following ``more`` links to the end."""
        return [statement for page in self.pages(max_pages=max_pages, **filters) for statement in page]

    def pages(self, max_pages: int = 100_000, **filters: Any) -> Iterable[list[dict]]:
        """The ``statements`` of each StatementResult page, following ``more``."""
        reply = self.request("GET", "statements", params=filters)
        seen: set[str] = set()
        for _ in range(max_pages):
            if reply.status != 200:
                raise AssertionError(f"GET statements answered {reply.status}: {reply.body[:500]!r}")
            result = reply.json()
            yield result["statements"]
            more = result.get("more")
            if not more:
                return
            if more in seen:
                raise AssertionError(f"the `more` link repeats: {more}")
            seen.add(more)
            reply = self.request("GET", more)
        raise AssertionError(f"more than {max_pages} pages")


def encode_params(params: dict) -> dict[str, str]:
    """xAPI query parameters as strings: agents as JSON, booleans in lower case."""
    encoded = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (dict, list)):
            value = json.dumps(value, separators=(",", ":"))
        encoded[name] = str(value)
    return encoded
