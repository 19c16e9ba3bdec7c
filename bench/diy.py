"""The do-it-yourself route a Python user might take: ``mkdocs build``, then ``simple-scorm-packager``.

Both are installed at bench time into bench-only folders (``bench/.venv``, ``bench/.node``), never
into the project. ``setup`` returns why the route cannot run when a tool does not install; the
bench says so and goes on.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
VENV, NODE = HERE / ".venv", HERE / ".node"
MKDOCS = VENV / "bin" / "mkdocs"
PACKAGER = NODE / "node_modules" / "simple-scorm-packager"
VERSIONS = {"scorm12": "1.2", "scorm2004": "2004 4th Edition"}
"""The formats the packager makes (it has no cmi5 or xAPI)."""
PACK_JS = """
const pack = require(process.argv[2]);
pack({version: process.argv[3], organization: "Bench", title: process.argv[4], identifier: process.argv[5],
      source: process.argv[6], package: {zip: true, outputFolder: process.argv[7], date: "2026-01-01"}},
     (msg) => { if (/error/i.test(String(msg))) { console.error(msg); process.exitCode = 1; } });
"""


def setup() -> str | None:
    """Install mkdocs and simple-scorm-packager when missing; None when ready, else the reason."""
    try:
        if not MKDOCS.exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, capture_output=True, timeout=300)
            subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "mkdocs"], check=True, capture_output=True,
                           timeout=600)
        if not PACKAGER.exists():
            subprocess.run(["npm", "install", "--prefix", str(NODE), "--no-save", "--no-audit", "--no-fund",
                            "simple-scorm-packager"], check=True, capture_output=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        return f"{exc} {detail.decode(errors='replace')[-300:]}".strip()
    return None


def project(course: Path, target: Path) -> list[str]:
    """A MkDocs project of ``course`` (its modules and media; one page per stage's assessment, as text).

    Returns the stage ids. Done before timing: it is the author's one-off conversion.
    """
    if target.exists():
        shutil.rmtree(target)
    docs = target / "docs"
    (docs / "modules").mkdir(parents=True)
    programme = yaml.safe_load((course / "programme.yaml").read_text(encoding="utf-8"))
    nav = []
    for rel in programme["modules"]:
        text = (course / rel).read_text(encoding="utf-8")
        (docs / rel).write_text(text, encoding="utf-8")
        title = re.search(r"^title:\s*(.+)$", text, re.M).group(1)
        nav.append({title: rel})
    shutil.copytree(course / "media", docs / "media")
    (docs / "index.md").write_text(f"# {programme['title']}\n\n{programme.get('description', '')}\n", encoding="utf-8")
    stages = []
    for stage in programme["stages"]:
        assessment = yaml.safe_load((course / stage["assessment"]).read_text(encoding="utf-8"))
        questions = [q for bank in assessment.get("banks", []) for q in bank.get("questions", [])]
        body = "\n\n".join(f"## {i}. {q.get('prompt', '')}" for i, q in enumerate(questions, 1))
        stage_dir = target / stage["id"]
        (stage_dir / "docs").mkdir(parents=True)
        (stage_dir / "docs" / "assessment.md").write_text(f"# {assessment['title']}\n\n{body}\n", encoding="utf-8")
        config = {"site_name": f"{programme['title']} - {stage['title']}", "docs_dir": "../docs",
                  "use_directory_urls": False,
                  "nav": [{"Home": "index.md"}, *nav, {"Assessment": "assessment.md"}]}
        (stage_dir / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        stages.append(stage["id"])
    (target / "pack.js").write_text(PACK_JS, encoding="utf-8")
    return stages


def script(target: Path, stages: list[str]) -> str:
    """The shell commands the route runs for every stage and SCORM version (the timed part)."""
    lines = ["set -e"]
    for stage in stages:
        site, docs = target / stage / "site", target / stage / "docs"
        # MkDocs builds one docs folder: the shared modules plus this stage's assessment page
        lines.append(f"rm -rf {site} {target}/out-{stage}-* && cp {docs}/assessment.md {target}/docs/assessment.md")
        lines.append(f"{MKDOCS} build -q -f {target / stage / 'mkdocs.yml'} -d {site}")
        for fmt, version in VERSIONS.items():
            lines.append(f"node {target / 'pack.js'} {PACKAGER} '{version}' '{stage}' 'bench.{stage}.{fmt}' "
                         f"{site} {target}/out-{stage}-{fmt}")
    return "\n".join(lines)
