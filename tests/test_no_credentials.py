"""No package built with default settings holds an LRS credential (issue 4: credentials come from the
launch or a token endpoint). Every file of every zip of every stage and format is searched; a package
built with --embed-lrs-auth, which the author must ask for, shows the search finds one."""
from __future__ import annotations

import base64
import json
import re
import secrets
import zipfile
from pathlib import Path

from click.testing import CliRunner

from elearn_builder.cli.commands import FORMAT_NAMES, main

REPO = Path(__file__).resolve().parent.parent
BASIC = re.compile(rb"Basic\s+[A-Za-z0-9+/]{8,}={0,2}")
"""An Authorization value: "Basic " and a base64 token (the runtime's own "Basic ${token}" is not one)."""
DATA = re.compile(rb'<script type="application/json" id="elearn-data">(.*?)</script>', re.DOTALL)


def build(tmp_path: Path, *options: str) -> list[Path]:
    args = ["build", "-s", str(REPO / "content"), "-o", str(tmp_path), "-t", str(REPO / "templates"), "-q"]
    for fmt in FORMAT_NAMES:
        args += ["-f", fmt]
    result = CliRunner().invoke(main, args + list(options))
    assert result.exit_code == 0, result.output
    return sorted(tmp_path.glob("*.zip"))


def findings(zips: list[Path], secrets_: list[bytes]) -> list[str]:
    found = []
    for path in zips:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                body = zf.read(name)
                found += [f"{path.name}/{name}: {m.group().decode()[:16]}..." for m in BASIC.finditer(body)]
                found += [f"{path.name}/{name}: a known secret" for s in secrets_ if s in body]
    return found


def test_default_packages_hold_no_credential(tmp_path):
    password = secrets.token_urlsafe(18)
    token = base64.b64encode(f"elearn-tests:{password}".encode()).decode()
    zips = build(tmp_path / "default", "--lrs-endpoint", "https://lrs.example.org/xAPI/")
    assert len(zips) == 3 * len(FORMAT_NAMES)
    assert findings(zips, [password.encode(), token.encode()]) == []
    for path in zips:
        with zipfile.ZipFile(path) as zf:
            data = json.loads(DATA.search(zf.read("index.html")).group(1))
        assert data["xapi"]["lrs"] == {"endpoint": "https://lrs.example.org/xAPI/"}  # an address, no secret

    embedded = build(tmp_path / "embedded", "--embed-lrs-auth", f"Basic {token}")
    assert len(findings(embedded, [token.encode()])) >= len(embedded)  # the search finds what is there


def test_allowed_lrs_origins_are_written_as_browsers_spell_an_origin(tmp_path):
    args = ["build", "-s", str(REPO / "content"), "-o", str(tmp_path), "-t", str(REPO / "templates"), "-q",
            "-f", "scorm12", "--stage", "manager"]
    result = CliRunner().invoke(main, args + ["--lrs-allow-origin", "HTTPS://LRS.Example.org:443/",
                                              "--lrs-allow-origin", "http://127.0.0.1:8080"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(next(tmp_path.glob("*.zip"))) as zf:
        data = json.loads(DATA.search(zf.read("index.html")).group(1))
    assert data["xapi"]["lrs"] == {"origins": ["https://lrs.example.org", "http://127.0.0.1:8080"]}
    for bad in ("lrs.example.org", "https://lrs.example.org/xAPI/", "ftp://lrs.example.org", "https://u:p@lrs.example.org"):
        refused = CliRunner().invoke(main, args + ["--lrs-allow-origin", bad])
        assert refused.exit_code == 2 and "is not an origin" in refused.output, bad
