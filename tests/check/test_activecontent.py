"""Media that could run script in the LMS's origin: the build refuses scripted SVG with a located error and warns
on HTML/XHTML/XML media; ``elearn validate`` flags the same in any package; and the build runs validate's name
rules on the media, so two names that differ only in case fail the build, not the LMS import (issue 14 items 4
and 12)."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from elearn_builder.check.activecontent import svg_problems
from elearn_builder.build import BuildOptions, build
from elearn_builder.cli.commands import main
from elearn_builder.check.validate import check_package

MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">\n'
SCRIPTED = {
    "script": SVG + "<rect width='10' height='10'/>\n<script>alert(document.cookie)</script>\n</svg>\n",
    "onload": SVG + '<rect width="10" height="10" onload="alert(1)"/>\n</svg>\n',
    "ONLOAD on the root": SVG.replace("<svg ", '<svg ONLOAD="alert(1)" ') + "</svg>\n",
    "foreignObject": SVG + "<foreignObject><body xmlns='http://www.w3.org/1999/xhtml'><img src=x onerror=alert(1)/>"
                           "</body></foreignObject>\n</svg>\n",
    "javascript link": SVG + '<a xlink:href=" java&#x09;script:alert(1)"><rect width="10" height="10"/></a>\n</svg>\n',
    "animated href": SVG + '<a href="#"><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>\n</svg>\n',
    "data link": SVG + '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"><text>x</text></a>\n</svg>\n',
    "entities": '<!DOCTYPE svg [<!ENTITY x "&#60;script&#62;alert(1)&#60;/script&#62;">]>\n' + SVG + "&x;\n</svg>\n",
    "xslt": '<?xml-stylesheet type="text/xsl" href="evil.xsl"?>\n' + SVG + "</svg>\n",
}


def course_with(tmp_path: Path, media: dict[str, str], extra_markdown: str = "") -> Path:
    course = tmp_path / "course"
    shutil.copytree(MINIMAL, course)
    for name, text in media.items():
        (course / "media" / name).write_text(text, encoding="utf-8")
    if extra_markdown:
        module = course / "modules" / "one.md"
        module.write_text(module.read_text(encoding="utf-8") + "\n" + extra_markdown + "\n", encoding="utf-8")
    return course


def run_build(course: Path, output: Path, *more: str):
    return CliRunner().invoke(main, ["build", "-s", str(course), "-o", str(output), "--format", "scorm12", *more])


@pytest.mark.parametrize("svg", SCRIPTED.values(), ids=SCRIPTED.keys())
def test_a_scripted_svg_fails_the_build_at_its_line(tmp_path, svg):
    result = run_build(course_with(tmp_path, {"diagram.svg": svg}), tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "media/diagram.svg:" in result.output and "error [media.scripted-svg]" in result.output
    assert "modules/one.md:13" in result.output  # where it is used
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_the_line_is_the_scripts_own():
    assert [line for line, _ in svg_problems(SCRIPTED["script"].encode())] == [3]


@pytest.mark.parametrize("svg", [
    SVG + '<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>\n</svg>\n',
    SVG + '<a href="https://example.org/"><text>a link</text></a><style>rect { fill: red }</style>\n</svg>\n',
    (MINIMAL / "media" / "diagram.svg").read_text(),
])
def test_a_plain_drawing_passes(svg):
    assert svg_problems(svg.encode()) == []


def test_html_and_xml_media_are_warned_about(tmp_path):
    course = course_with(tmp_path, {"handout.html": "<p>Hello</p>", "data.xml": "<a/>"},
                         "[A handout](../media/handout.html) and [data](../media/data.xml)")
    result = run_build(course, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.output.count("warning [media.active-content]") == 2
    assert run_build(course, tmp_path / "strict", "--strict").exit_code == 1


def test_media_that_differ_only_in_case_fail_the_build_as_they_fail_validate(tmp_path):
    plain = (MINIMAL / "media" / "diagram.svg").read_text()
    course = course_with(tmp_path, {"Diagram.svg": plain}, "![The same diagram](../media/Diagram.svg)")
    result = run_build(course, tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "modules/one.md:" in result.output and "error [name.case-clash]" in result.output
    assert not (tmp_path / "out").exists()


def _package_with(tmp_path: Path, extra: dict[str, str]) -> Path:
    result = build(BuildOptions(source=MINIMAL, output=tmp_path / "out", templates=None, formats=("scorm12",),
                                stages=("manager",), cache=False))
    source = result.packages[0].path
    target = tmp_path / "changed.zip"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))
        for name, text in extra.items():
            new.writestr(name, text)
    return target


def test_validate_flags_scripted_svg_and_scripted_pages_in_any_package(tmp_path):
    package = _package_with(tmp_path, {"media/evil.svg": SCRIPTED["onload"],
                                       "media/extra.html": "<p onclick='steal()'>x</p>",
                                       "media/plain.html": "<p>no script</p>"})
    found = {(f.code, f.member, f.severity) for f in check_package(package).findings}
    assert ("media.scripted-svg", "media/evil.svg", "error") in found
    assert ("media.scripted-page", "media/extra.html", "warning") in found
    assert not [f for f in found if f[1] in ("media/plain.html", "index.html", "media/diagram.svg")]
    result = CliRunner().invoke(main, ["validate", str(package)])
    assert result.exit_code == 1 and "changed.zip:media/evil.svg:2: error [media.scripted-svg]" in result.output


def test_a_markdown_module_over_the_size_limit_is_refused_at_its_location(tmp_path):
    course = course_with(tmp_path, {})
    module = course / "modules" / "two.md"
    paragraph = "Reflective supervision asks *what happened* and **why it mattered**. " * 15 + "\n\n"
    module.write_text(module.read_text(encoding="utf-8") + paragraph * (1100 * 1024 // len(paragraph)), "utf-8")
    result = run_build(course, tmp_path / "out")
    assert result.exit_code == 1, result.output[-500:]
    assert "modules/two.md:1:1: error [markdown.too-large]" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()
