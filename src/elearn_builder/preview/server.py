"""The preview's HTTP server on 127.0.0.1: the page, the packages, live-reload events and a small LRS."""
from __future__ import annotations

from types import MappingProxyType

import errno
import json
import mimetypes
import sys
import threading
from dataclasses import asdict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, unquote, urlsplit

from elearn_builder.diagnostics import ElearnError
from elearn_builder.preview.session import Preview, PreviewOptions, Snapshot

HOST = "127.0.0.1"
KEEPALIVE = 10.0
"""Seconds between two comments on an idle event stream (so a dead client is noticed)."""
STATIC = ("index.html", "preview.js", "lms.js", "preview.css")
TYPES = MappingProxyType({".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                         ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml", ".json": "application/json"})
XAPI_VERSION = "1.0.3"
MAX_BODY = 8 << 20
"""The largest request body (8 MiB) the preview reads: a batch of statements, never more."""
WRITES = ("POST", "PUT", "DELETE")


def static_file(name: str) -> bytes:
    return (resources.files("elearn_builder") / "preview" / "static" / name).read_bytes()


class PreviewServer(ThreadingHTTPServer):
    """One thread per request; the event streams end when the server stops."""

    daemon_threads = True

    def __init__(self, preview: Preview, port: int) -> None:
        self.preview = preview
        self.stopping = threading.Event()
        super().__init__((HOST, port), Handler)

    def handle_error(self, request, client_address) -> None:
        """A browser that went away mid-response (a reloaded frame) is normal; anything else is reported."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"

    def stop(self) -> None:
        self.stopping.set()
        self.preview.close()
        self.shutdown()
        self.server_close()


def open_server(preview: Preview, port: int, fallback: bool) -> PreviewServer:
    """A server on ``port``; when it is taken and ``fallback`` is true, on a free port instead."""
    try:
        return PreviewServer(preview, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE and fallback:
            return PreviewServer(preview, 0)
        if exc.errno == errno.EADDRINUSE:
            raise ElearnError(f"port {port} on {HOST} is in use: choose another with --port "
                              "(0 picks a free one)") from None
        raise ElearnError(f"cannot serve on {HOST}:{port}: {exc.strerror or exc}") from None


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "elearn-preview"

    def log_message(self, *args) -> None:  # the terminal shows builds, not every request
        pass

    # ---- responses -------------------------------------------------------------------------------
    def send(self, status: int, body: bytes = b"", content_type: str = "text/plain; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if status != HTTPStatus.NO_CONTENT:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, value, status: int = HTTPStatus.OK, headers: dict[str, str] | None = None) -> None:
        self.send(status, json.dumps(value).encode("utf-8"), "application/json", headers)

    def body(self) -> bytes:
        return self.rfile.read(self.length)

    # ---- who may ask -------------------------------------------------------------------------------
    def own_origins(self) -> tuple[str, ...]:
        port = self.server.server_address[1]
        return f"127.0.0.1:{port}", f"localhost:{port}"

    def allowed(self) -> bool:
        """Whether the request may go on; when not, the refusal is sent. Only ``Host: 127.0.0.1:PORT`` or
        ``localhost:PORT`` is served (a rebound DNS name is not), a write from a page of another origin is
        refused, and a body must say its length: a number up to ``MAX_BODY``."""
        own = self.own_origins()
        if (self.headers.get("Host") or "").strip().lower() not in own:
            self.send(HTTPStatus.MISDIRECTED_REQUEST, f"the preview answers only to http://{own[0]}/ and "
                                                      f"http://{own[1]}/".encode())
            return False
        self.length = 0
        if self.command not in WRITES:
            return True
        origin = self.headers.get("Origin")
        if origin is not None and origin.strip().lower() not in tuple(f"http://{o}" for o in own):
            self.send(HTTPStatus.FORBIDDEN, b"a page of another origin may not write to the preview")
            return False
        if self.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            self.send(HTTPStatus.FORBIDDEN, b"a cross-site request may not write to the preview")
            return False
        given = self.headers.get("Content-Length")
        if given is None:
            if self.command == "DELETE":
                return True
            self.send(HTTPStatus.LENGTH_REQUIRED, b"Content-Length is required")
            return False
        if not given.strip().isdigit():
            self.send(HTTPStatus.BAD_REQUEST, b"Content-Length must be a number of bytes")
            return False
        if int(given) > MAX_BODY:
            self.send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body may be at most {MAX_BODY:,} bytes".encode())
            return False
        self.length = int(given)
        return True

    # ---- routes ----------------------------------------------------------------------------------
    def do_GET(self) -> None:
        if not self.allowed():
            return
        path = unquote(urlsplit(self.path).path)
        preview = self.server.preview
        if path in ("/", "/index.html"):
            self.send(HTTPStatus.OK, static_file("index.html"), TYPES[".html"])
        elif path.startswith("/static/") and path[len("/static/"):] in STATIC:
            name = path[len("/static/"):]
            self.send(HTTPStatus.OK, static_file(name), TYPES["." + name.rsplit(".", 1)[1]])
        elif path == "/api/state":
            snap = preview.snapshot
            self.send_json({"generation": snap.generation, "ok": snap.ok, "title": snap.title,
                            "diagnostics": list(snap.diagnostics), "notes": list(snap.notes),
                            "seconds": round(snap.seconds, 3), "launches": [asdict(l) for l in snap.launches]})
        elif path == "/api/statements" or path == "/xapi/statements":
            statements = list(preview.statements)
            self.send_json(statements if path.startswith("/api/") else {"statements": statements, "more": ""},
                           headers={"X-Experience-API-Version": XAPI_VERSION})
        elif path == "/events":
            self.events()
        elif path.startswith("/pkg/"):
            self.package_file(path[len("/pkg/"):])
        elif path == "/favicon.ico":
            self.send(HTTPStatus.NO_CONTENT)
        else:
            self.send(HTTPStatus.NOT_FOUND, b"not found")

    do_HEAD = do_GET

    def package_file(self, rest: str) -> None:
        package, _, inner = rest.partition("/")
        files = self.server.preview.snapshot.packages.get(package, {})
        data = files.get(inner or "index.html")
        if data is None:
            self.send(HTTPStatus.NOT_FOUND, f"{package}/{inner}: not in the latest build".encode("utf-8"))
            return
        suffix = "." + inner.rsplit(".", 1)[-1] if "." in inner else ".html"
        kind = TYPES.get(suffix) or mimetypes.guess_type(inner)[0] or "application/octet-stream"
        self.send(HTTPStatus.OK, data, kind)

    def do_POST(self) -> None:
        if not self.allowed():
            return
        path = urlsplit(self.path).path
        if path == "/xapi/statements":
            self.statements(put_id=None)
        elif path == "/api/focus":  # the package the page shows: built first after the next change
            self.server.preview.focus = self.body().decode("utf-8", "replace").strip()
            self.send(HTTPStatus.NO_CONTENT)
        else:
            self.send(HTTPStatus.NOT_FOUND, b"not found")

    def do_PUT(self) -> None:
        if not self.allowed():
            return
        parts = urlsplit(self.path)
        ids = parse_qs(parts.query).get("statementId", [])
        if parts.path == "/xapi/statements" and ids:
            self.statements(put_id=ids[0])
        else:
            self.send(HTTPStatus.BAD_REQUEST if parts.path == "/xapi/statements" else HTTPStatus.NOT_FOUND,
                      b"PUT /xapi/statements needs ?statementId=")

    def do_DELETE(self) -> None:
        if not self.allowed():
            return
        if urlsplit(self.path).path == "/api/statements":
            self.server.preview.clear_statements()
            self.send(HTTPStatus.NO_CONTENT)
        else:
            self.send(HTTPStatus.NOT_FOUND, b"not found")

    def statements(self, put_id: str | None) -> None:
        """The LRS side: POST one statement or a list, PUT one with ``statementId``; kept in memory."""
        try:
            value = json.loads(self.body() or b"null")
        except ValueError as exc:
            self.send(HTTPStatus.BAD_REQUEST, f"not JSON: {exc}".encode("utf-8"))
            return
        batch = value if isinstance(value, list) else [value]
        if not batch or not all(isinstance(s, dict) for s in batch) or (put_id and len(batch) != 1):
            self.send(HTTPStatus.BAD_REQUEST, b"expected a statement object or a list of them")
            return
        if put_id:
            batch = [{**batch[0], "id": put_id}]
        ids = self.server.preview.store(batch)
        headers = {"X-Experience-API-Version": XAPI_VERSION}
        if put_id:
            self.send(HTTPStatus.NO_CONTENT, headers=headers)
        else:
            self.send_json(ids, headers=headers)

    def events(self) -> None:
        """Server-Sent Events: ``build`` with the generation, ``statements`` with the count, on each change."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        preview, seen = self.server.preview, None
        try:
            self.wfile.write(b"retry: 500\n\n")
            while not self.server.stopping.is_set():
                now = preview.wait(seen, KEEPALIVE)
                if now == seen:
                    self.wfile.write(b": idle\n\n")
                else:
                    if seen is None or now[0] != seen[0]:
                        self.wfile.write(f"event: build\ndata: {now[0]}\n\n".encode())
                    if seen is None or now[1] != seen[1]:
                        self.wfile.write(f"event: statements\ndata: {now[1]}\n\n".encode())
                    seen = now
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away
        self.close_connection = True


def describe(snapshot: Snapshot) -> str:
    """One line for the terminal about a build (the page shows the details)."""
    if snapshot.ok:
        return f"built {snapshot.built} package(s) in {snapshot.seconds:.2f} s"
    lines = "\n  ".join(snapshot.diagnostics)
    return f"build failed (shown in the page, still serving the last good build):\n  {lines}"


def serve(options: PreviewOptions, port: int, fallback: bool, echo=print) -> None:
    """Build, serve on 127.0.0.1 and rebuild on every change until Ctrl-C; never touches ``build/``."""
    stop = threading.Event()
    server = None
    preview = Preview(options, on_build=lambda snap: echo(describe(snap)))
    try:
        preview.rebuild()
        server = open_server(preview, port, fallback)
        threading.Thread(target=preview.watch, args=(stop,), name="elearn-preview-watch", daemon=True).start()
        if server.server_address[1] != port and port:
            echo(f"port {port} is in use: using {server.server_address[1]} instead")
        echo(f"Serving the preview on {server.url} (Ctrl-C to stop)")
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        preview.close()
        if server is not None:
            server.stopping.set()
            server.server_close()
    echo("preview stopped")
