"""A project's ``.elearn-cache`` holds no executable code: a planted entry cannot run anything at the next build,
and ``elearn new`` keeps the cache and the build output out of version control (issue 14 item 6)."""
from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
from click.testing import CliRunner
from jinja2.bccache import bc_magic

from elearn_builder.build import BuildOptions, build
from elearn_builder.cache.builds import BuildCache, default_root
from elearn_builder.cli.commands import main
from elearn_builder.render.stage import environment

MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"


class _Planted:
    """Unpickling this creates the marker file: what a planted Jinja bytecode entry could do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def _course_with_templates(tmp_path: Path) -> tuple[Path, Path]:
    course = tmp_path / "course"
    shutil.copytree(MINIMAL, course)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html.j2").write_text(
        '<section class="el-page" id="page-{{ page.id }}" data-page-id="{{ page.id }}" hidden>'
        "<h1>{{ page.title }}</h1>{{ page.html|safe }}</section>\n")
    return course, templates


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_the_build_cache_holds_no_compiled_templates(tmp_path):
    course, templates = _course_with_templates(tmp_path)
    build(BuildOptions(source=course, output=tmp_path / "build", templates=templates, formats=("scorm12",)))
    cache = default_root(tmp_path / "build")
    files = _files(cache)
    assert files  # the cache is in use
    assert not [p for p in files if p.read_bytes()[32:].startswith(bc_magic)]
    assert not [p for p in cache.rglob("jinja")]


def test_a_planted_bytecode_entry_runs_nothing(tmp_path):
    course, templates = _course_with_templates(tmp_path)
    options = BuildOptions(source=course, output=tmp_path / "build", templates=templates, formats=("scorm12",))
    build(options)
    marker = tmp_path / "PLANTED-CODE-RAN"
    payload = bc_magic + pickle.dumps(_Planted(marker), protocol=2)
    store = BuildCache(default_root(options.output))
    env = environment(templates)
    keys = set()
    for name in env.list_templates():
        _, filename, _ = env.loader.get_source(env, name)
        keys.add(jinja2.BytecodeCache().get_cache_key(name, filename))
    existing = [p for p in _files(store.root) if p.parent.parent.name == "jinja"]
    for key in keys:  # where a build cache of compiled templates would look (and whatever it holds today)
        target = store.root / "jinja" / key[:2] / key
        existing.append(target)
    for target in existing:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(hashlib.sha256(payload).digest() + payload)
    page = course / "modules" / next(p.name for p in (course / "modules").iterdir())
    page.write_text(page.read_text() + "\nOne more line.\n")  # not a whole-build hit: every template loads
    run = subprocess.run([sys.executable, "-m", "elearn_builder.cli", "build", "-s", str(course), "-o",
                          str(options.output), "-t", str(templates), "--format", "scorm12"],
                         capture_output=True, text=True, timeout=120, check=False)  # a new process: nothing in memory
    assert not marker.exists()
    assert run.returncode == 0, run.stderr


def test_elearn_new_ignores_the_build_output_and_the_cache(tmp_path):
    result = CliRunner().invoke(main, ["new", str(tmp_path / "course")])
    assert result.exit_code == 0, result.output
    ignored = (tmp_path / "course" / ".gitignore").read_text().split()
    assert "/build/" in ignored and "/.elearn-cache/" in ignored
