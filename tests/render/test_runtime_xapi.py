"""The build takes the runtime's xAPI vocabulary from the programme's profile."""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

from click.testing import CliRunner

from elearn_builder.build import BuildOptions, build
from elearn_builder.cli.commands import main
from elearn_builder.xapi.profile import Vocabulary, load_profile

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"
PROFILE = ROOT / "xapi_profiles" / "reflective-supervision.jsonld"
CREDENTIAL = re.compile(r"(Basic|Bearer)\s+[A-Za-z0-9+/=._-]{8,}|[a-z]+://[^/\s\"']+:[^@/\s\"']+@")
"""An Authorization value, or a URL with a user and password in it."""


def data_of(path: Path) -> dict:
    page = zipfile.ZipFile(path).read("index.html").decode()
    return json.loads(re.search(r'id="elearn-data">(.*?)</script>', page, re.S).group(1))


def test_packages_carry_vocabulary_and_activity_iris(tmp_path):
    build(BuildOptions(source=MINIMAL, output=tmp_path, templates=None, profile=PROFILE, formats=("scorm12",)))
    xapi = data_of(tmp_path / "mini-manager-scorm12.zip")["xapi"]
    assert xapi["vocabulary"] == Vocabulary(load_profile(PROFILE)).for_runtime()
    assert xapi["vocabulary"]["verbs"]["answered"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert xapi["activities"]["course"] == "https://example.org/xapi/mini/stages/manager"
    assert xapi["activities"]["page"] == "https://example.org/xapi/mini/pages/{id}"


def test_profile_found_by_programme_id_in_a_folder(tmp_path):
    folder = tmp_path / "profiles"
    folder.mkdir()
    shutil.copy(PROFILE, folder / "mini.jsonld")
    build(BuildOptions(source=MINIMAL, output=tmp_path / "out", templates=None, profile=folder, formats=("scorm12",)))
    assert data_of(tmp_path / "out" / "mini-manager-scorm12.zip")["xapi"]["vocabulary"]["profile"].endswith("/v1.0")


def test_without_a_profile_packages_record_in_scorm_only(tmp_path):
    result = CliRunner().invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path), "--profile",
                                       str(tmp_path / "none")])
    assert result.exit_code == 0 and "the packages record in SCORM only" in result.output
    assert data_of(tmp_path / "mini-manager-scorm12.zip")["xapi"] is None


def test_broken_profile_is_reported_with_its_path(tmp_path):
    bad = tmp_path / "mini.jsonld"
    bad.write_text('{"id": "x",\n  "type": }')
    result = CliRunner().invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path / "o"), "--profile", str(bad)])
    assert result.exit_code == 1 and f"{bad}:2:11: error [xapi.profile-json]" in result.output
    incomplete = tmp_path / "incomplete.jsonld"
    doc = json.loads(PROFILE.read_text())
    del doc["conformsTo"]
    incomplete.write_text(json.dumps(doc))
    result = CliRunner().invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path / "o"), "--profile",
                                       str(incomplete)])
    assert result.exit_code == 1 and "error [xapi.profile-invalid]" in result.output and "conformsTo" in result.output
    assert not (tmp_path / "o").exists()


def test_no_lrs_setting_or_credential_by_default(tmp_path):
    build(BuildOptions(source=MINIMAL, output=tmp_path, templates=None, profile=PROFILE))
    for package in tmp_path.glob("*.zip"):
        assert data_of(package)["xapi"]["lrs"] == {}
        with zipfile.ZipFile(package) as zf:
            for name in zf.namelist():
                text = zf.read(name).decode("utf-8", "replace")
                assert not CREDENTIAL.search(text), f"{package.name}:{name}: {CREDENTIAL.search(text).group(0)}"


def test_embedding_credentials_needs_the_option_and_warns(tmp_path):
    result = CliRunner().invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path), "--profile", str(PROFILE),
                                       "-f", "scorm12", "--lrs-endpoint", "https://lrs.example.org/xAPI/",
                                       "--embed-lrs-auth", "Basic dXNlcjpzZWNyZXQ="])
    assert result.exit_code == 0
    assert "WARNING: --embed-lrs-auth writes an LRS credential into every package" in result.output
    assert data_of(tmp_path / "mini-manager-scorm12.zip")["xapi"]["lrs"] == {
        "endpoint": "https://lrs.example.org/xAPI/", "auth": "Basic dXNlcjpzZWNyZXQ="}
