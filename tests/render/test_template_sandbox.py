"""Author templates render in Jinja's immutable sandbox: a template that reaches for Python internals fails the
build with a located error and runs nothing, while the built-in theme and documented overrides still work
(issue 14 item 1)."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from elearn_builder.build import BuildOptions, build
from elearn_builder.cli.commands import main
from elearn_builder.render.stage import THEME

MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"

ATTACKS = {
    "cycler globals": '{{ cycler.__init__.__globals__.os.popen("touch MARKER").read() }}',
    "model class": '{{ programme.__class__.__init__.__globals__["os"].popen("touch MARKER").read() }}',
    "string mro": '{{ "".__class__.__mro__[1].__subclasses__() }}{{ lipsum.__globals__.os.popen("touch MARKER") }}',
    "method globals": '{{ programme.assessment_for.__globals__["os"].popen("touch MARKER").read() }}',
    "format escape": '{{ "{0.__class__.__init__.__globals__}".format(programme) }}',
    "bound self": '{{ theme.get.__self__ }}{{ strings.exit.format.__globals__ }}',
    "mutation": '{{ nav.append(1) }}{{ strings.update(exit="x") }}',
}


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_a_template_reaching_python_internals_fails_with_a_located_error_and_runs_nothing(tmp_path, monkeypatch,
                                                                                          attack):
    monkeypatch.chdir(tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html.j2").write_text(f"<section>\n{attack}\n</section>\n")
    result = CliRunner().invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path / "out"),
                                       "-t", str(templates), "--format", "scorm12"])
    assert not (tmp_path / "MARKER").exists()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{templates / 'page.html.j2'}:2:1: error [template." in result.output
    assert "[template.unsafe]" in result.output or "[template.undefined]" in result.output
    assert not (tmp_path / "out").exists()


def test_unsafe_access_names_its_code_and_what_templates_may_use(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "index.html.j2").write_text("{{ programme.title }}\n{{ programme.assessment_for.__globals__ }}\n")
    result = CliRunner().invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path / "out"),
                                       "-t", str(templates), "--format", "scorm12"])
    assert result.exit_code == 1
    assert f"{templates / 'index.html.j2'}:2:1: error [template.unsafe]" in result.output
    assert "not Python internals" in result.output


def test_a_copy_of_every_built_in_template_builds_the_same_bytes(tmp_path):
    """The documented override route (copy a built-in template into templates/ and edit it) still works."""
    templates = tmp_path / "templates"
    shutil.copytree(Path(str(THEME / "templates")), templates)
    build(BuildOptions(source=MINIMAL, output=tmp_path / "theme", templates=None, cache=False))
    build(BuildOptions(source=MINIMAL, output=tmp_path / "copied", templates=templates, cache=False))
    for package in sorted((tmp_path / "theme").glob("*.zip")):
        assert package.read_bytes() == (tmp_path / "copied" / package.name).read_bytes(), package.name


def test_an_override_may_use_the_documented_context_and_helpers(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html.j2").write_text(
        '{%- set ns = namespace(n=0) %}{%- for p in module.pages %}{% set ns.n = ns.n + 1 %}{% endfor -%}\n'
        '<section class="el-page" id="page-{{ page.id }}" data-page-id="{{ page.id }}" hidden>'
        '<h1>{{ page.title|upper }}</h1><p class="mark">{{ strings.version.format(version=programme.version) }} '
        '{{ theme.get("primary_colour", "none") }} {{ ns.n }} {{ range(2)|list|length }} {{ dict(a=1).a }}</p>'
        '{{ page.html|safe }}</section>\n')
    build(BuildOptions(source=MINIMAL, output=tmp_path / "out", templates=templates, formats=("scorm12",)))
    with zipfile.ZipFile(tmp_path / "out" / "mini-manager-scorm12.zip") as zf:
        page = zf.read("index.html").decode()
    assert page.count('<p class="mark">') == 3 and " 2 1</p>" in page
