"""The command path imports only what it needs: a build whose inputs are unchanged (the cache-hit path)
loads no template engine, Markdown, YAML or XML library. Each of those costs tens of milliseconds at
start-up, paid on every ``elearn build``; this fails if someone imports one at module level again."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"
HEAVY = ("jinja2", "markdown", "yaml", "lxml")
"""Libraries only a build that has work to do needs."""

WRAPPER = """
import atexit, json, sys
dump = sys.argv.pop(1)
atexit.register(lambda: open(dump, "w").write(json.dumps(sorted(sys.modules))))
from elearn_builder.cli import main
sys.argv[0] = "elearn"
main()
"""
"""Runs ``elearn ARGS`` as the console script does, and writes the names of the modules loaded by exit."""


def run_elearn(tmp_path: Path, name: str, *args: str) -> tuple[dict, set[str]]:
    dump = tmp_path / f"{name}.json"
    proc = subprocess.run([sys.executable, "-c", WRAPPER, str(dump), *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout), set(json.loads(dump.read_text()))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_a_cache_hit_build_imports_no_renderer_parser_or_xml_library(tmp_path):
    shutil.copytree(MINIMAL, tmp_path / "course")
    args = ("build", "-s", "course", "-o", "out", "--templates", "no-templates", "--profile", "no-profile", "--json")
    first, loaded_first = run_elearn(tmp_path, "first", *args)
    assert first["cache"]["status"] == "miss"
    assert set(HEAVY) <= {m.split(".")[0] for m in loaded_first}  # the dump sees what a real build loads
    again, loaded_again = run_elearn(tmp_path, "again", *args)
    same = ("path", "files", "bytes")
    assert again["cache"]["status"] == "hit"
    assert [[p[k] for k in same] for p in again["packages"]] == [[p[k] for k in same] for p in first["packages"]]
    assert heavy(loaded_again) == []
    assert "elearn_builder.cli.analyst" not in loaded_again  # the analysts' commands load when named


def test_help_lists_every_command_without_building_anything(tmp_path):
    proc = subprocess.run([sys.executable, "-c", WRAPPER.replace("main()", "main(['--help'])"),
                           str(tmp_path / "help.json")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    commands = {line.split()[0] for line in proc.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert commands == {"build", "guide", "lrs", "new", "preview", "report", "validate", "xapi"}
    assert heavy(set(json.loads((tmp_path / "help.json").read_text()))) == []
