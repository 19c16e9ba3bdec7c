"""Render one stage in one format to package files in memory: ``{path: bytes}``, no writing."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jinja2
import yaml

from .model import Programme, Stage

THEME = resources.files("elearn_builder") / "theme"
RUNTIME_SCRIPTS = ("adapter-standalone.js", "elearn.js")
"""Scripts every package loads after its format's adapter."""
DESCRIPTION_LIMIT = 250
"""SCORM 2004 ``cmi.interactions.n.description`` (localized_string_type, SPM 250)."""


class TemplateError(Exception):
    """A template could not be found or rendered; the message names the template and line."""


def environment(author_templates: Path | None) -> jinja2.Environment:
    """Templates by search path: the author's folder first, then the built-in theme."""
    loaders: list[jinja2.BaseLoader] = []
    if author_templates is not None and author_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(author_templates)))
    loaders.append(jinja2.FileSystemLoader(str(THEME / "templates")))
    return jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def load_strings(language: str) -> dict[str, str]:
    """Interface strings for ``language``, falling back to the shipped en-GB file."""
    folder = THEME
    for name in (f"strings.{language}.yaml", "strings.en-GB.yaml"):
        candidate = folder / name
        if candidate.is_file():
            return yaml.safe_load(candidate.read_text(encoding="utf-8"))
    raise TemplateError("the built-in theme has no strings.en-GB.yaml")


def json_for_script(data) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>``, no raw U+2028)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def course_data(programme: Programme, stage: Stage, fmt: str, strings: dict) -> dict:
    """The ``#elearn-data`` object the runtime reads (see docs/runtime.md)."""
    assessment = programme.assessment_for(stage.id)
    pages = [{"id": p.id, "module": m.id, "title": p.title, "kind": "content"}
             for m in programme.modules for p in m.pages]
    pages.append({"id": "assessment", "module": "", "title": assessment.title, "kind": "assessment"})
    questions = [{"id": q.id, "type": q.type, "interactionType": q.interaction_type,
                  "description": q.prompt_text[:DESCRIPTION_LIMIT], "weight": q.weight,
                  "choices": [{"id": c.id, "text": c.text} for c in q.choices],
                  "correct": list(q.correct_ids)} for q in assessment.questions]
    return {
        "schema": 1, "format": fmt,
        "programme": {"id": programme.id, "iri": programme.iri, "title": programme.title,
                      "version": programme.version, "language": programme.language},
        "stage": {"id": stage.id, "title": stage.title},
        "pages": pages,
        "assessment": {"id": assessment.id, "title": assessment.title, "passMark": assessment.pass_mark,
                       "attempts": assessment.attempts, "feedback": assessment.feedback, "draw": assessment.draw,
                       "questions": questions},
        "strings": strings,
    }


def static_files(adapter: str) -> dict[str, bytes]:
    """The theme's CSS and the runtime scripts one package needs, under ``assets/``."""
    static = THEME / "static"
    names = ["theme.css", adapter, *RUNTIME_SCRIPTS]
    return {f"assets/{name}": (static / name).read_bytes() for name in names}


def render_stage(env: jinja2.Environment, programme: Programme, stage: Stage, fmt: str, adapter: str,
                 strings: dict, media: dict[str, bytes]) -> dict[str, bytes]:
    """Every file of one package except its manifest."""
    assessment = programme.assessment_for(stage.id)
    nav = [{"id": p.id, "title": p.title, "module_title": m.title, "kind": "content"}
           for m in programme.modules for p in m.pages]
    nav.append({"id": "assessment", "title": assessment.title, "module_title": "", "kind": "assessment"})
    context = {
        "programme": programme, "stage": stage, "format": fmt, "modules": programme.modules,
        "assessment": assessment, "nav": nav, "strings": strings, "theme": dict(programme.theme),
        "data_json": json_for_script(course_data(programme, stage, fmt, strings)),
        "scripts": [f"assets/{adapter}"] + [f"assets/{name}" for name in RUNTIME_SCRIPTS],
    }
    try:
        page = env.get_template("index.html.j2").render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"template error while rendering {stage.id} ({fmt}): {exc}") from None
    files = {"index.html": page.encode("utf-8")}
    files.update(static_files(adapter))
    files.update(media)
    return files
