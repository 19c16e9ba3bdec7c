"""Rendering reuses work between builds without changing a byte: the Jinja environment of a long-lived
process, compiled templates in the tool's cache, and remembered fragments of index.html."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import jinja2
import pytest

from elearn_builder.render import packages as renderall
from elearn_builder.cache import templates as toolcache
from elearn_builder.build import BuildOptions, build
from elearn_builder.cache.memo import Caches
from elearn_builder.diagnostics import Diagnostics
from elearn_builder.render.fragments import install
from elearn_builder.sources.course import load_course
from elearn_builder.model import KeyArea
from elearn_builder.render.stage import THEME, environment

BUNDLED = Path(__file__).resolve().parents[2] / "content"
MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"
THEME_TEMPLATES = Path(str(THEME / "templates"))


def zips(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.zip"))}


class Process:
    """A long-lived process (``--watch``, ``preview``): one ``Caches`` given to every build."""

    def __init__(self):
        self.caches = Caches()

    def restart(self) -> None:
        """Forget what this process kept, as a new ``elearn build`` would."""
        self.caches = Caches()

    def build(self, options: BuildOptions):
        return build(options, caches=self.caches)

    def env(self) -> jinja2.Environment:
        """The Jinja environment this process keeps."""
        (env,) = self.caches.templates.entries.values()
        return env


def clean_build(source: Path, out: Path, templates: Path | None = None) -> dict[str, str]:
    """The zips of a clean build in a fresh process (one that has kept nothing)."""
    build(BuildOptions(source=source, output=out, templates=templates, cache=False))
    return zips(out)


@pytest.fixture
def course(tmp_path) -> Path:
    target = tmp_path / "course"
    shutil.copytree(BUNDLED, target)
    return target


@pytest.fixture(autouse=True)
def own_tool_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(toolcache.ENV, raising=False)


@pytest.fixture
def proc() -> Process:
    return Process()


def edit_first_page(course: Path, words: str) -> None:
    path = sorted((course / "modules").glob("*.md"))[0]
    text = path.read_text(encoding="utf-8")
    heading = text.index("\n# ")
    end = text.index("\n", heading + 1)
    path.write_text(text[:end] + f"\n\n{words}\n" + text[end:], encoding="utf-8")


# ---- the environment of a long-lived process ----

def test_the_environment_is_kept_while_the_templates_are_the_same(tmp_path, proc):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html.j2").write_text("<section>{{ page.title }}</section>\n")
    env = renderall.template_environment(templates, proc.caches)
    assert renderall.template_environment(templates, proc.caches) is env
    stat = (templates / "page.html.j2").stat()
    (templates / "page.html.j2").write_text("<section>{{ page.id }}</section>\n")  # same size and time
    os.utime(templates / "page.html.j2", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = renderall.template_environment(templates, proc.caches)
    assert changed is not env
    assert changed.get_template("page.html.j2").render(page={"id": "p1"}) == "<section>p1</section>\n"
    (templates / "extra.html.j2").write_text("new\n")
    assert renderall.template_environment(templates, proc.caches) is not changed
    assert renderall.template_environment(None, proc.caches) is not renderall.template_environment(templates, proc.caches)


def test_rebuilds_in_one_process_give_the_bytes_of_clean_builds(course, tmp_path, proc):
    out = tmp_path / "out"
    env = None
    for n, cache in enumerate([True, False, True, True]):
        edit_first_page(course, f"Edit {n}.")
        proc.build(BuildOptions(source=course, output=out, templates=None, cache=cache))
        assert env is None or proc.env() is env
        env = proc.env()
        assert zips(out) == clean_build(course, tmp_path / f"clean{n}")


def test_fragments_are_reused_only_while_what_they_read_is_the_same(course, tmp_path, proc):
    out = tmp_path / "out"
    for words in ["One.", "Two.", "Three."]:
        edit_first_page(course, words)
        proc.build(BuildOptions(source=course, output=out, templates=None, cache_dir=tmp_path / "cache"))
    fragments = proc.env().globals["fragment"].fragments
    before = fragments.rendered
    edit_first_page(course, "Four.")
    proc.build(BuildOptions(source=course, output=out, templates=None, cache_dir=tmp_path / "cache"))
    rendered = fragments.rendered - before
    stages = 3
    assert 0 < rendered < 10 * stages  # the edited module's pages (and nothing stage-wide) again
    assert fragments.reused > 100
    assert zips(out) == clean_build(course, tmp_path / "clean")


def test_an_author_page_template_is_kept_by_what_it_reads(course, tmp_path, proc):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html.j2").write_text(
        '<section class="el-page" id="page-{{ page.id }}" data-page-id="{{ page.id }}" hidden>'
        '<p>{{ stage.title }}: {{ programme.title }}</p>{{ page.html|safe }}</section>\n')
    out = tmp_path / "out"
    for words in ["One.", "Two.", "Three."]:
        edit_first_page(course, words)
        proc.build(BuildOptions(source=course, output=out, templates=templates, cache_dir=tmp_path / "cache"))
    fragments = proc.env().globals["fragment"].fragments
    assert {root for root, _, _ in fragments.names("page.html.j2")} == {"page", "stage", "programme"}
    assert zips(out) == clean_build(course, tmp_path / "clean", templates)
    before = fragments.rendered
    proc.build(BuildOptions(source=course, output=out, templates=templates, cache_dir=tmp_path / "cache"))
    assert fragments.rendered == before  # nothing changed: every fragment kept, each stage's its own
    (course / "programme.yaml").write_text((course / "programme.yaml").read_text().replace(
        "title: Reflective Supervision", "title: Reflective Supervision (2nd edition)", 1))
    proc.build(BuildOptions(source=course, output=out, templates=templates, cache_dir=tmp_path / "cache"))
    pages = sum(len(m.pages) for m in load_course(course, Diagnostics()).modules)
    assert fragments.rendered - before >= 3 * pages  # the programme's title is on every page
    assert zips(out) == clean_build(course, tmp_path / "clean-retitled", templates)


def test_an_index_override_with_plain_includes_still_works(course, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    builtin = (THEME_TEMPLATES / "index.html.j2").read_text(encoding="utf-8")
    plain = builtin.replace('{{ fragment("page.html.j2", module=module, page=page) }}',
                            '{% include "page.html.j2" %}')
    for name in ("self-assessment", "assessment", "cpd-record"):
        plain = plain.replace(f'{{{{ fragment("{name}.html.j2") }}}}', f'{{% include "{name}.html.j2" %}}')
    assert "fragment(" not in plain.split("-#}", 1)[1]
    (templates / "index.html.j2").write_text(plain, encoding="utf-8")
    assert clean_build(course, tmp_path / "includes", templates) == clean_build(course, tmp_path / "builtin")


# ---- fragment() itself ----

def fragment_env(**templates: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader(templates), autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    install(env)
    return env


def test_fragment_gives_the_text_of_an_include():
    parts = {"item.j2": "<li>{{ item.title }} {{ heading }}</li>\n",
             "with.j2": "{% for item in items %}{{ fragment('item.j2', item=item) }}{% endfor %}",
             "plain.j2": "{% for item in items %}{% include 'item.j2' %}{% endfor %}"}
    env = fragment_env(**parts)
    values = {"items": [{"title": "<a>"}, {"title": "b"}], "heading": "&"}
    assert env.get_template("with.j2").render(values) == env.get_template("plain.j2").render(values)


def test_fragments_are_kept_by_what_they_read():
    env = fragment_env(**{"frag.j2": "{{ thing.title }}|{{ other }}\n", "whole.j2": "{{ thing|attr('title') }}",
                          "page.j2": "{{ fragment('frag.j2', thing=thing) }}", "all.j2": "{{ fragment('whole.j2') }}"})
    fragments = env.globals["fragment"].fragments
    page = env.get_template("page.j2")
    fragments.begin()
    assert page.render(thing={"title": "a", "unread": 1}, other="x") == "a|x\n"
    fragments.begin()  # a second build: from now on fragments are kept
    assert page.render(thing={"title": "a", "unread": 1}, other="x") == "a|x\n"
    assert page.render(thing={"title": "a", "unread": 2}, other="x") == "a|x\n"
    assert fragments.reused == 1  # what it does not read does not matter
    assert page.render(thing={"title": "b", "unread": 2}, other="x") == "b|x\n"
    assert page.render(thing={"title": "b", "unread": 2}, other="y") == "b|y\n"
    assert page.render(thing=Unprintable("b"), other="y") == "b|y\n"  # only its title is read
    assert (fragments.reused, fragments.rendered) == (2, 4)
    whole = env.get_template("all.j2")
    assert whole.render(thing=KeyArea("k", "c")) == "c" and whole.render(thing=KeyArea("k", "c")) == "c"
    assert (fragments.reused, fragments.rendered) == (3, 5)  # a model object: its repr is its fingerprint
    assert whole.render(thing=Unprintable("c")) == "c" and whole.render(thing=Unprintable("d")) == "d"
    assert (fragments.reused, fragments.rendered) == (3, 7)  # read whole, without a fingerprint: never kept


class Unprintable:
    def __init__(self, title):
        self.title = title


def test_a_fragment_naming_templates_at_run_time_is_never_kept():
    env = fragment_env(**{"frag.j2": "{% include name %}", "a.j2": "{{ x }}", "page.j2": "{{ fragment('frag.j2') }}"})
    fragments = env.globals["fragment"].fragments
    fragments.begin()
    fragments.begin()
    for _ in range(2):
        assert env.get_template("page.j2").render(name="a.j2", x=1) == "1"
    assert fragments.reused == 0 and fragments.names("frag.j2") is None


# ---- the tool's compiled templates ----

def compiles(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = jinja2.Environment._compile

    def spy(self, source, filename):
        seen.append(Path(filename).name)
        return real(self, source, filename)

    monkeypatch.setattr(jinja2.Environment, "_compile", spy)
    return seen


def test_a_build_without_the_cache_takes_the_theme_compiled_from_the_tool_cache(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html.j2").write_text((THEME_TEMPLATES / "page.html.j2").read_text())
    seen = compiles(monkeypatch)
    first = clean_build(MINIMAL, tmp_path / "one", templates)
    assert "index.html.j2" in seen and "page.html.j2" in seen
    kept = list(toolcache.folder().iterdir())
    theme = [p for p in THEME_TEMPLATES.iterdir() if p.suffix == ".j2"]
    assert 0 < len(kept) < len(theme)  # the theme's templates in use; the author's page is not kept
    seen.clear()
    assert clean_build(MINIMAL, tmp_path / "two", templates) == first
    assert seen == ["page.html.j2"]  # the author's template, compiled again; the theme's were loaded


def test_a_damaged_tool_cache_or_none_at_all_changes_nothing(tmp_path, monkeypatch):
    expected = clean_build(MINIMAL, tmp_path / "one")
    for entry in toolcache.folder().iterdir():
        entry.write_bytes(b"garbage")
    seen = compiles(monkeypatch)
    assert clean_build(MINIMAL, tmp_path / "two") == expected
    assert "index.html.j2" in seen
    monkeypatch.setenv(toolcache.ENV, "off")
    shutil.rmtree(tmp_path / "xdg")
    assert clean_build(MINIMAL, tmp_path / "three") == expected
    assert not (tmp_path / "xdg").exists()
    monkeypatch.setenv(toolcache.ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("not a folder")
    assert clean_build(MINIMAL, tmp_path / "four") == expected


def test_the_tool_cache_is_per_python_and_jinja_and_follows_xdg(tmp_path, monkeypatch):
    folder = toolcache.folder()
    assert folder.is_relative_to(tmp_path / "xdg" / "elearn-builder" / "jinja")
    assert jinja2.__version__ in folder.name
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as the XDG rules say
    assert toolcache.folder().is_relative_to(Path.home() / ".cache" / "elearn-builder")
    env = environment(None)
    other = jinja2.Environment(trim_blocks=True)
    assert toolcache.flavour(env) != toolcache.flavour(other)


def test_what_templates_read_is_kept_for_the_next_process(course, tmp_path, monkeypatch, proc):
    proc.build(BuildOptions(source=course, output=tmp_path / "out", templates=None, cache_dir=tmp_path / "cache"))
    saved = list((toolcache.folder() / "fragments").iterdir())
    assert len(saved) == 1
    proc.restart()
    parsed: list[str] = []
    real = jinja2.Environment.parse

    def spy(self, source, name=None, filename=None):
        parsed.append(source[:40])
        return real(self, source, name, filename)

    monkeypatch.setattr(jinja2.Environment, "parse", spy)
    for n in range(2):
        edit_first_page(course, f"Edit {n}.")
        proc.build(BuildOptions(source=course, output=tmp_path / "out", templates=None, cache_dir=tmp_path / "cache"))
    assert parsed == []  # the second build keys its fragments with what the first process found
    assert zips(tmp_path / "out") == clean_build(course, tmp_path / "clean")
    saved[0].write_bytes(b"{not json")
    proc.restart()
    for n in range(2):
        proc.build(BuildOptions(source=course, output=tmp_path / "again", templates=None, cache_dir=tmp_path / "other"))
    assert parsed and zips(tmp_path / "again") == clean_build(course, tmp_path / "clean")


def test_with_the_build_cache_a_new_process_reuses_the_last_builds_fragments(course, tmp_path, proc):
    out = tmp_path / "out"
    proc.build(BuildOptions(source=course, output=out, templates=None))  # finds what the templates read
    proc.build(BuildOptions(source=course, output=out, templates=None, formats=("scorm12",)))  # keeps fragments
    proc.restart()
    edit_first_page(course, "An edit in a new process.")
    proc.build(BuildOptions(source=course, output=out, templates=None))
    fragments = proc.env().globals["fragment"].fragments
    assert fragments.builds == 1 and fragments.reused > 100 and fragments.rendered < 30
    reused = fragments.reused
    assert zips(out) == clean_build(course, tmp_path / "clean")
    for kept in (tmp_path / ".elearn-cache").rglob("fragments/*/*"):
        kept.write_bytes(kept.read_bytes()[:40] + b"damaged")
    proc.restart()
    edit_first_page(course, "Another edit.")
    proc.build(BuildOptions(source=course, output=out, templates=None))
    assert proc.env().globals["fragment"].fragments.reused < reused  # pages across stages only
    assert zips(out) == clean_build(course, tmp_path / "clean-again")


def test_a_build_without_its_cache_renders_every_fragment_again(course, tmp_path, proc):
    out = tmp_path / "out"
    for words in ["One.", "Two."]:
        edit_first_page(course, words)
        proc.build(BuildOptions(source=course, output=out, templates=None, cache_dir=tmp_path / "cache"))
    fragments = proc.env().globals["fragment"].fragments
    reused, rendered = fragments.reused, fragments.rendered
    proc.build(BuildOptions(source=course, output=out, templates=None, cache=False))  # --no-cache: all the work again
    assert fragments.reused == reused
    assert fragments.rendered > rendered
    assert zips(out) == clean_build(course, tmp_path / "clean")
