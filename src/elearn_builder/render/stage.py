"""Render one stage in one format to package files in memory: ``{path: bytes}``, no writing."""
from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jinja2
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from elearn_builder.standards.lmsids import lms_description, lms_id
from elearn_builder.model import GAP_THRESHOLD, MODULES_PER_GAP, Assessment, Programme, Question, Stage
from elearn_builder.standards import standard
from elearn_builder.standards.state import fingerprint, worst_case

THEME = resources.files("elearn_builder") / "theme"
PACKAGE_SCRIPT = "assets/package.js"
"""The one file that differs between the formats of a stage: their settings, then their adapter."""
PACKAGE_KEYS = ("format", "stateLimit")
"""Course data that depends on the format: in ``PACKAGE_SCRIPT``, so ``index.html`` is the same in every format."""
_PACKAGE_LINE = "(window.Elearn = window.Elearn || {}).package = "
RUNTIME_SCRIPTS = ("adapter-standalone.js", "elearn-state.js", "elearn-marking.js", "elearn-criteria.js",
                   "elearn-assessment.js", "elearn-selfassessment.js", "elearn-cpd.js", "elearn-lrs.js",
                   "elearn-queue.js", "elearn-xapi.js", "elearn-save.js", "elearn.js")
"""Scripts every package loads after ``PACKAGE_SCRIPT``."""
DESCRIPTION_LIMIT = 250
"""SCORM 2004 ``cmi.interactions.n.description`` (localized_string_type, SPM 250)."""


TEMPLATE_GLOBALS = ("range", "dict", "namespace")
"""Jinja's helpers a template may use besides ``fragment`` (``lipsum``, ``cycler`` and ``joiner`` are left out)."""


class CourseSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, deciding each attribute once per (type, name): its rules look at nothing
    else (``is_safe_attribute`` ignores the value), so the same answer, without the checks on every read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        key = (type(obj), attr)
        known = self.safe.get(key)
        if known is None:
            known = self.safe[key] = super().is_safe_attribute(obj, attr, value)
        return known

    def getattr(self, obj, attribute: str):
        if self.safe.get((type(obj), attribute)):  # decided safe before: a value that is no callable is returned
            try:                                   # as the sandbox would (it wraps only str.format methods)
                value = getattr(obj, attribute)
            except AttributeError:
                pass
            else:
                if not callable(value):
                    return value
        return super().getattr(obj, attribute)


class TemplateError(Exception):
    """A template could not be found or rendered; the message names the template and line."""


def environment(author_templates: Path | None) -> jinja2.Environment:
    """Templates by search path: the author's folder first, then the built-in theme; with
    ``fragment(name, **locals)``, an include remembered between builds (``fragments.py``).

    Templates are an author's or a co-author's text, never trusted to run code: they render in Jinja's
    immutable sandbox (no ``_`` attributes, no Python internals, no changing the values passed in), with
    only the render context (docs/runtime.md) and ``TEMPLATE_GLOBALS``."""
    from elearn_builder.render.fragments import install

    loaders: list[jinja2.BaseLoader] = []
    if author_templates is not None and author_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(author_templates)))
    loaders.append(jinja2.FileSystemLoader(str(THEME / "templates")))
    env = CourseSandbox(loader=jinja2.ChoiceLoader(loaders), autoescape=True,
                        undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals = {name: env.globals[name] for name in TEMPLATE_GLOBALS}
    install(env)
    return env


def template_failure(exc: BaseException, stage_id: str) -> TemplateError:
    """A located ``TemplateError`` for an exception raised while rendering: ``path:line:1: error [code] ...``
    at the innermost template line the traceback passes through (Jinja maps its frames to template lines)."""
    where = None
    trace = exc.__traceback__
    while trace is not None:
        name = trace.tb_frame.f_code.co_filename
        if name.endswith(".j2") or "/templates/" in name.replace("\\", "/"):
            where = f"{name}:{trace.tb_lineno}:1"
        trace = trace.tb_next
    if isinstance(exc, jinja2.exceptions.SecurityError):
        code, what = "template.unsafe", (f"{str(exc).rstrip('.')}: a template may use the values the theme passes "
                                         "(docs/runtime.md), not Python internals, and may not change them")
    elif isinstance(exc, jinja2.UndefinedError):
        code, what = "template.undefined", str(exc)
    else:
        code, what = "template.error", f"{type(exc).__name__}: {exc}" if not isinstance(exc, jinja2.TemplateError) \
            else str(exc)
    return TemplateError(f"{where or 'templates'}: error [{code}] template error while rendering stage {stage_id}: "
                         f"{what}")


def load_strings(language: str) -> dict[str, str]:
    """Interface strings for ``language``, falling back to the shipped en-GB file."""
    folder = THEME
    for name in (f"strings.{language}.yaml", "strings.en-GB.yaml"):
        candidate = folder / name
        if candidate.is_file():
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: the same values
            return yaml.load(candidate.read_text(encoding="utf-8"), Loader=loader)
    raise TemplateError("the built-in theme has no strings.en-GB.yaml")


def json_for_script(data) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>``, no raw U+2028)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def option_list(options) -> list[dict]:
    """Options with the id an LMS is given for each (``lmsId``, see ``lmsids.lms_id``)."""
    return [{"id": c.id, "lmsId": lms_id(c.id), "text": c.text} for c in options]


def question_data(q: Question) -> dict:
    """What the runtime needs of one question (see docs/runtime.md)."""
    out = {"id": q.id, "lmsId": lms_id(q.id), "type": q.type, "interactionType": q.interaction_type,
           "scored": q.scored,
           "description": q.prompt_text[:DESCRIPTION_LIMIT], "lmsDescription": lms_description(q.id, q.prompt_text),
           "weight": q.weight, "bank": q.bank,
           "keyArea": q.key_area, "pcfDomains": list(q.pcf_domains)}
    if q.module:
        out["module"] = q.module
    if q.type == "matching":
        out.update(sources=option_list(q.sources), targets=option_list(q.targets), correct=[list(p) for p in q.pairs])
    elif q.type in ("fill-in", "long-fill-in"):
        out.update(maxLength=q.max_length, correct=list(q.accepted))
        if q.max_words:
            out["maxWords"] = q.max_words
        if q.type == "fill-in":
            out.update(accepted=list(q.accepted), caseMatters=q.case_matters)
        elif q.criteria:
            out["criteria"] = [{"id": f"c{n}", "text": text} for n, text in enumerate(q.criteria, 1)]
    else:
        out.update(choices=option_list(q.choices), correct=list(q.correct_ids))
    if q.type in ("choice", "multiple-response"):
        out["shuffle"] = q.shuffle
    if q.partial:
        out["partial"] = True
    if q.accept:
        out["accept"] = [list(order) for order in q.accept]
    return out


def study_modules(programme: Programme, area: str) -> list:
    """The modules to study for a gap in ``area``, most relevant first, at most ``MODULES_PER_GAP``: those whose
    main key area it is (the first of their ``key_areas``), then those that name it second, and so on; among
    equals the more focused (fewer key areas) first, then in programme order."""
    ranked = sorted((m.key_areas.index(area), len(m.key_areas), n, m) for n, m in enumerate(programme.modules)
                    if area in m.key_areas and m.pages)
    return [m for *_, m in ranked[:MODULES_PER_GAP]]


def key_area_data(programme: Programme, stage: Stage) -> list[dict]:
    """Key areas with the stage's expectation and the modules to study for a gap in each (linked to their first
    page)."""
    expected = dict(stage.expectations)
    return [{"id": a.id, "title": a.title, "expected": expected.get(a.id, 0),
             "modules": [{"id": m.id, "title": m.title, "page": m.pages[0].id}
                         for m in study_modules(programme, a.id)]}
            for a in programme.key_areas]


def page_list(programme: Programme, assessment: Assessment, strings: dict) -> list[dict]:
    pages = []
    if programme.self_assessment:
        pages.append({"id": "self-assessment", "module": "", "title": programme.self_assessment.title,
                      "module_title": "", "kind": "self-assessment"})
    pages += [{"id": p.id, "module": m.id, "title": p.title, "module_title": m.title, "kind": "content"}
              for m in programme.modules for p in m.pages]
    pages.append({"id": "assessment", "module": "", "title": assessment.title, "module_title": "",
                  "kind": "assessment"})
    pages.append({"id": "cpd-record", "module": "", "title": strings["cpd_record"], "module_title": "",
                  "kind": "cpd-record"})
    return pages


def course_data(programme: Programme, stage: Stage, fmt: str, strings: dict, xapi: dict | None = None) -> dict:
    """The course data the runtime reads: ``stage_data`` with ``package_settings`` (see docs/runtime.md)."""
    return {**stage_data(programme, stage, strings, xapi), **package_settings(fmt)}


def package_settings(fmt: str) -> dict:
    """The course data of one format (``PACKAGE_KEYS``), carried by ``PACKAGE_SCRIPT``."""
    return {"format": fmt, "stateLimit": standard(fmt).state_limit}


def stage_data(programme: Programme, stage: Stage, strings: dict, xapi: dict | None = None) -> dict:
    """The ``#elearn-data`` object of a stage, the same in every format."""
    assessment = programme.assessment_for(stage.id)
    index, banks = 0, []
    for bank in assessment.banks:
        banks.append({"id": bank.id, "draw": bank.draw, "questions": list(range(index, index + len(bank.questions)))})
        index += len(bank.questions)
    sa = programme.self_assessment
    return {
        "schema": 2, "fingerprint": fingerprint(programme, assessment),
        "programme": {"id": programme.id, "iri": programme.iri, "title": programme.title,
                      "version": programme.version, "language": programme.language},
        "stage": {"id": stage.id, "title": stage.title, "pcfLevel": stage.pcf_level},
        "keyAreas": key_area_data(programme, stage),
        "modules": [{"id": m.id, "title": m.title, "pcfDomains": list(m.pcf_domains), "keyAreas": list(m.key_areas),
                     "duration": m.duration} for m in programme.modules],
        "pages": [{k: v for k, v in p.items() if k != "module_title"} for p in page_list(programme, assessment, strings)],
        "selfAssessment": None if sa is None else {
            "id": sa.id, "title": sa.title, "scale": list(sa.scale), "gapThreshold": GAP_THRESHOLD,
            "statements": [{"id": st.id, "lmsId": lms_id(st.id), "keyArea": st.key_area,
                            "pcfDomains": list(st.pcf_domains), "text": st.text,
                            "description": st.text[:DESCRIPTION_LIMIT],
                            "lmsDescription": lms_description(st.id, st.text)} for st in sa.statements]},
        "assessment": {"id": assessment.id, "title": assessment.title, "passMark": assessment.pass_mark,
                       "attempts": assessment.attempts, "feedback": assessment.feedback,
                       "feedbackOnFail": assessment.feedback_on_fail, "banks": banks,
                       "questions": [question_data(q) for q in assessment.questions]},
        "stateWorstCase": worst_case(programme, assessment),
        "xapi": xapi,
        "strings": strings,
    }


def static_files() -> dict[str, bytes]:
    """The theme's CSS and the runtime scripts every package holds, under ``assets/``."""
    static = THEME / "static"
    return {f"assets/{name}": (static / name).read_bytes() for name in ("theme.css", *RUNTIME_SCRIPTS)}


def package_script(fmt: str, adapter: str) -> bytes:
    """``PACKAGE_SCRIPT``: the format's settings on its first line (elearn.js merges them into the course
    data), then the format's adapter."""
    settings = json_for_script(package_settings(fmt))
    head = f"{_PACKAGE_LINE}{settings};\n/* package.js: the settings above, then {adapter} */\n"
    return head.encode("utf-8") + (THEME / "static" / adapter).read_bytes()


def package_data(files: dict[str, bytes]) -> dict:
    """The course data a built package carries: ``#elearn-data`` with the settings of ``PACKAGE_SCRIPT``
    ({} when unreadable)."""
    found = re.search(rb'<script type="application/json" id="elearn-data">(.*?)</script>', files.get("index.html", b""),
                      re.DOTALL)
    line = files.get(PACKAGE_SCRIPT, b"").split(b"\n", 1)[0].decode("utf-8", "replace")
    try:
        data = json.loads(found.group(1)) if found else {}
        settings = json.loads(line[len(_PACKAGE_LINE):].rstrip(";")) if line.startswith(_PACKAGE_LINE) else {}
    except ValueError:
        return {}
    return {**data, **settings} if isinstance(data, dict) and isinstance(settings, dict) else {}


def render_page(env: jinja2.Environment, programme: Programme, stage: Stage, strings: dict,
                xapi: dict | None = None) -> bytes:
    """``index.html`` of a stage: the same bytes in every format."""
    assessment = programme.assessment_for(stage.id)
    nav = page_list(programme, assessment, strings)
    context = {
        "programme": programme, "stage": stage, "modules": programme.modules,
        "assessment": assessment, "self_assessment": programme.self_assessment, "nav": nav, "strings": strings,
        "theme": dict(programme.theme), "key_areas": key_area_data(programme, stage),
        "data_json": json_for_script(stage_data(programme, stage, strings, xapi)),
        "scripts": [PACKAGE_SCRIPT] + [f"assets/{name}" for name in RUNTIME_SCRIPTS],
    }
    try:
        page = env.get_template("index.html.j2").render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
        raise template_failure(exc, stage.id) from None
    return page.encode("utf-8")


def render_stage(env: jinja2.Environment, programme: Programme, stage: Stage, fmt: str, adapter: str,
                 strings: dict, media: dict[str, bytes], xapi: dict | None = None,
                 page: bytes | None = None, static: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """Every file of one package except its manifest (``page``: the stage's ``render_page``, ``static``: the
    ``static_files()``, when read already)."""
    files = {"index.html": page if page is not None else render_page(env, programme, stage, strings, xapi),
             PACKAGE_SCRIPT: package_script(fmt, adapter)}
    files.update(static if static is not None else static_files())
    files.update(media)
    return files
