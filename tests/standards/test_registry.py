"""One place per standard: each ``Standard`` record is complete, and every other part of the tool takes the
formats from ``standards.registry()`` rather than spelling a list of its own."""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from factories import PACKAGE_FILES, make_programme
from lxml import etree

from elearn_builder.check.validate import rules
from elearn_builder.cli.commands import main
from elearn_builder.standards import Standard, default_formats, descriptors, preview_formats, registry, standard
from elearn_builder.standards.controlfiles import schema_locations

SRC = Path(__file__).resolve().parents[2] / "src" / "elearn_builder"
STATIC = SRC / "theme" / "static"
STANDARDS = registry()
NAMES = tuple(STANDARDS)
MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"

RULE_MODULES = ("check/scorm_rules.py", "check/xapi_rules.py", "check/lms_ids.py")
"""The validator's rules: an independent reading of each standard's descriptor, allowed to name them."""


def test_the_registry_is_immutable_and_in_build_order():
    assert NAMES == ("scorm12", "scorm2004", "cmi5", "xapi")
    with pytest.raises(TypeError):
        STANDARDS["other"] = STANDARDS["scorm12"]  # type: ignore[index]
    assert all(isinstance(s, Standard) and key == s.name and standard(key) is s for key, s in STANDARDS.items())


@pytest.mark.parametrize("name", NAMES)
def test_every_standard_has_all_its_parts(name):
    s = STANDARDS[name]
    assert all(getattr(s, f.name) not in ("", None) for f in fields(s) if f.name != "preview"), s
    # the packager writes exactly the descriptor the record names, with the root validate recognises it by
    programme = make_programme()
    written = s.manifest(programme, programme.stages[0], PACKAGE_FILES)
    assert list(written) == [s.descriptor]
    root = etree.fromstring(written[s.descriptor])
    assert root.tag == s.root
    # whatever schema it names is in its set
    assert set(schema_locations(written[s.descriptor])) <= {file for _, file in s.schemas.imports}
    # its runtime adapter exists and registers itself under the format's name
    assert re.search(rf"Elearn\.adapters \|\| \{{\}}\)\.{name} = function", (STATIC / s.adapter).read_text())
    # the validator's rules for it are a function of check/
    check = rules(s)
    assert callable(check) and check.__module__.startswith("elearn_builder.check.")
    assert s.state_limit in (4096, 64000)


@pytest.mark.schemas
@pytest.mark.parametrize("name", NAMES)
def test_every_schema_set_is_in_the_official_schema_folder(name, schemas_dir):
    schemas = STANDARDS[name].schemas
    assert all((schemas_dir / path).is_file() for path in schemas.paths()), schemas
    if schemas.xml:
        assert (schemas_dir / schemas.folder / schemas.xml).is_file()


def test_the_lists_derived_from_the_records():
    assert default_formats() == ("scorm12", "scorm2004")  # no xAPI profile needed
    assert descriptors() == ("imsmanifest.xml", "cmi5.xml", "tincan.xml")
    assert preview_formats() == ("scorm2004", "scorm12")
    assert [STANDARDS[n].preview.label for n in preview_formats()] == ["SCORM 2004", "SCORM 1.2"]


def choices(command: str) -> tuple[str, ...]:
    option = next(p for p in main.commands[command].params if p.name == "formats")
    return tuple(option.type.choices)


def test_the_command_line_takes_its_formats_from_the_registry():
    assert choices("build") == NAMES
    assert choices("preview") == preview_formats()
    schemas_help = next(p for p in main.commands["validate"].params if p.name == "schemas").help
    assert all(f"{s.schemas.folder}/" in schemas_help for s in STANDARDS.values())


def test_the_preview_lms_speaks_exactly_the_formats_the_registry_lets_it_host():
    lms = (SRC / "preview" / "static" / "lms.js").read_text()
    editions = lms[lms.index("const EDITIONS = {"):lms.index("const TEXT =")]
    assert tuple(re.findall(r"^ {4}(\w+): \{$", editions, re.M)) == tuple(sorted(preview_formats()))


# -- nothing else spells a list of formats ----------------------------------------------------------------

def format_lists(tree: ast.AST) -> list[tuple[int, list[str]]]:
    """(line, names) of each tuple, list, set or dict literal holding two or more standards' names, descriptor
    names or schema folders, and of each state limit written as a number."""
    words = {*NAMES, *descriptors(), *(s.schemas.folder for s in STANDARDS.values())}
    limits = {s.state_limit for s in STANDARDS.values()}
    found = []
    for node in ast.walk(tree):
        items = (node.keys + node.values if isinstance(node, ast.Dict)
                 else node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [])
        named = sorted({i.value for i in items if isinstance(i, ast.Constant) and i.value in words})
        if len(named) >= 2:
            found.append((node.lineno, named))
        if isinstance(node, ast.Constant) and type(node.value) is int and node.value in limits:
            found.append((node.lineno, [str(node.value)]))
    return found


def test_the_finder_sees_a_format_list():
    tree = ast.parse('A = ("scorm12", "scorm2004")\nB = {"cmi5.xml": 1, "tincan.xml": 2}\nC = [x for x in "scorm12"]\n'
                     'D = {"scorm12": 4096}\n')
    assert format_lists(tree) == [(1, ["scorm12", "scorm2004"]), (2, ["cmi5.xml", "tincan.xml"]), (4, ["4096"])]


def test_no_module_outside_standards_spells_a_format_list():
    offences = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("standards/") or rel in RULE_MODULES:
            continue
        offences += [f"{rel}:{line}: {', '.join(names)}" for line, names in format_lists(ast.parse(path.read_text()))]
    assert not offences, "take these from standards.registry():\n" + "\n".join(offences)


def test_no_script_outside_the_adapters_names_a_format_or_its_limit():
    quoted = re.compile(r"""["'`](?:%s)["'`]|\b(?:%s)\b""" % (
        "|".join(NAMES), "|".join(str(s.state_limit) for s in STANDARDS.values())))
    scripts = [p for p in [*STATIC.glob("*.js"), *(SRC / "preview" / "static").glob("*.js")]
               if not p.name.startswith("adapter-")]
    assert len(scripts) > 5
    offences = [f"{p.name}:{n}: {line.strip()}" for p in scripts for n, line in enumerate(p.read_text().splitlines(), 1)
                if quoted.search(line)]
    assert not offences, "\n".join(offences)


# -- a standard added to the registry reaches the command line and the build -------------------------------

EXTRA = """
import dataclasses, sys, types
from elearn_builder import standards
from elearn_builder.standards import scorm12
extra = dataclasses.replace(scorm12.STANDARD, name="scorm12-copy", label="SCORM 1.2 (copy)", preview=None)
standards._REGISTRY = types.MappingProxyType({**standards.registry(), extra.name: extra})
from elearn_builder.cli import main
main(sys.argv[1:])
"""
"""Runs ``elearn ARGS`` with one more standard in the registry (a copy of SCORM 1.2 under another name)."""


def test_an_added_standard_reaches_the_command_line_and_the_build(tmp_path):
    def elearn(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", EXTRA, *args], cwd=tmp_path, capture_output=True, text=True,
                              timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})

    shown = elearn("build", "--help")
    assert shown.returncode == 0 and "scorm12-copy" in shown.stdout, shown.stderr
    built = elearn("build", "-s", str(MINIMAL), "-o", "out", "-f", "scorm12-copy", "--no-cache", "--profile", "none",
                   "--templates", "none", "--json")
    assert built.returncode == 0, built.stdout + built.stderr
    formats = {p["format"] for p in json.loads(built.stdout)["packages"]}
    zips = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert formats == {"scorm12-copy"} and zips and all(z.endswith("-scorm12-copy.zip") for z in zips)
