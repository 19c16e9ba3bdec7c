"""Load and validate a whole course folder into a Programme, collecting every diagnostic."""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from elearn_builder.sources.assessments import load_assessment
from elearn_builder.diagnostics import Diagnostics, did_you_mean
from elearn_builder.sources.facilitation import load_facilitation, read_organisation
from elearn_builder.sources.fields import ID_RE, Fields, load_mapping, mapping
from elearn_builder.sources.markdown import MediaRefs, Renderer
from elearn_builder.sources.media import check_media
from elearn_builder.model import KeyArea, Location, Media, Programme, Stage
from elearn_builder.standards import default_formats, registry
from elearn_builder.sources.modules import load_module
from elearn_builder.sources.sanitise import read_policy
from elearn_builder.sources.selfassessment import load_self_assessment
from elearn_builder.sources.reader import refused_path, safe_join

PROGRAMME_FILE = "programme.yaml"
PCF_LEVELS = ("social-worker", "experienced-social-worker", "advanced", "strategic")
IRI_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/]+(/[^\s]*)?$")
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
MAX_TITLE = 200
"""SCORM 1.2 titleType maxLength (XSD) and SCORM 2004's smallest permitted maximum for titles."""
TITLE_JOIN = " – "
"""Between programme and stage title in a package title (standards/common.py course_title)."""


def load_course(root: Path, diags: Diagnostics, parses=None, renders=None) -> Programme | None:
    """Read ``root/programme.yaml`` and everything it names. Returns None when there are errors.

    ``parses`` and ``renders`` (``cache.memo.Memo``s, or None) keep YAML parses and Markdown renders for the
    next build (``reader.parse_yaml``, ``markdown.Renderer.render``): a rebuild redoes only what changed."""
    where = Location(PROGRAMME_FILE, 1, 1)
    if not root.is_dir():
        diags.error(Location(str(root), 1, 1), "source.missing", f'course folder "{root}" not found')
        return None
    data = load_mapping(root, PROGRAMME_FILE, where, diags, PROGRAMME_FILE, parses)
    if data is None:
        return None
    f = Fields(data, diags, "programme")
    ident = {key: f.get(key, str, pattern=ID_RE if key == "id" else None)
             for key in ("id", "iri", "title", "version", "publisher")}
    if ident["iri"] and not IRI_RE.match(ident["iri"]):
        diags.error(f.at("iri"), "field.value", f'programme: iri "{ident["iri"]}" is not an absolute IRI')
    description = f.get("description", str, "")
    language = f.get("language", str, "en-GB")
    if not LANG_RE.match(language):
        diags.error(f.at("language"), "field.value", f'programme: language "{language}" is not a language tag like en-GB')
    areas = read_key_areas(f, diags)
    known = {a.id for a in areas}
    stages = read_stages(f, known, diags)
    check_title_lengths(ident["title"], stages, diags)
    formats = read_formats(f, diags)
    media = MediaRefs()
    theme = read_theme(f, root, media, diags)
    module_list = f.get("modules", list)
    sa_path = f.get("self_assessment", str, "")
    html_policy = read_policy(f, diags)
    organisation = read_organisation(f, diags)
    classes_path = f.get("master_classes", str, "")
    f.done()

    renderer = Renderer(root, diags, media, html_policy, memo=renders)
    modules, module_ids = [], {}
    for i, rel in enumerate(module_list or []):
        if not isinstance(rel, str):
            diags.error(module_list.at(i), "field.type", "modules: each entry is a path to a Markdown file")
            continue
        module = load_module(root, rel, module_list.at(i), known, renderer, diags, parses)
        if module is None:
            continue
        if module.id in module_ids:
            diags.error(module.location, "id.duplicate", f'module id "{module.id}" is already used by {module_ids[module.id]}')
        module_ids[module.id] = module.location.path
        modules.append(module)
    if module_list is not None and not module_list:
        diags.error(f.at("modules"), "programme.no-modules", "programme: no modules listed")

    assessments, question_ids = [], {}
    self_assessment = None
    if sa_path:
        self_assessment = load_self_assessment(root, sa_path, f.at("self_assessment"), known, renderer,
                                               question_ids, diags, parses)
    if self_assessment is not None:
        for stage, _ in stages:
            missing = [a.id for a in areas if a.id not in dict(stage.expectations)]
            if missing:
                diags.error(stage.location, "stage.missing-expectation",
                            f'stage "{stage.id}": no expectation for key area(s) {", ".join(missing)}; the '
                            "self-assessment's gap profile needs one per area")
    for stage, loc in stages:
        assessment = load_assessment(root, stage.assessment_path, loc, known, renderer, question_ids, diags,
                                     tuple(modules), parses)
        if assessment is not None:
            assessments.append((stage.id, assessment))
    facilitation = None
    if classes_path:
        facilitation = load_facilitation(root, classes_path, f.at("master_classes"), {s.id for s, _ in stages},
                                         set(module_ids), renderer, diags, parses)
    check_media(root, media.used, diags)
    if diags.errors or None in ident.values():
        return None
    return Programme(id=ident["id"], iri=ident["iri"].rstrip("/"), title=ident["title"], description=description,
                     version=ident["version"], language=language, publisher=ident["publisher"],
                     key_areas=tuple(areas), stages=tuple(s for s, _ in stages), modules=tuple(modules),
                     assessments=tuple(assessments), self_assessment=self_assessment, formats=formats, theme=tuple(sorted(theme.items())),
                     media=tuple(Media(source=rel, target=rel) for rel in sorted(media.used)),
                     organisation=tuple(sorted(organisation.items())), facilitation=facilitation)


def read_key_areas(f: Fields, diags: Diagnostics) -> list[KeyArea]:
    out = []
    raw = f.get("key_areas", list)
    for i, item in enumerate(raw or []):
        node = mapping(item, diags, raw.at(i), "a key area")
        if node is None:
            continue
        kf = Fields(node, diags, "key area")
        area_id, title = kf.get("id", str, pattern=ID_RE), kf.get("title", str)
        kf.done()
        if area_id in {a.id for a in out}:
            diags.error(kf.at("id"), "id.duplicate", f'key area id "{area_id}" is used twice')
        elif area_id and title:
            out.append(KeyArea(area_id, title))
    return out


def read_stages(f: Fields, known_areas: set[str], diags: Diagnostics) -> list[tuple[Stage, Location]]:
    """Stages with the location of their ``assessment`` value (where a missing file is reported)."""
    out: list[tuple[Stage, Location]] = []
    raw = f.get("stages", list)
    for i, item in enumerate(raw or []):
        node = mapping(item, diags, raw.at(i), "a stage")
        if node is None:
            continue
        sf = Fields(node, diags, "stage")
        stage_id, title = sf.get("id", str, pattern=ID_RE), sf.get("title", str)
        level, assessment = sf.get("pcf_level", str), sf.get("assessment", str)
        if level is not None and level not in PCF_LEVELS:
            diags.error(sf.at("pcf_level"), "stage.unknown-level", f'stage: pcf_level "{level}" is not one of '
                        f'{", ".join(PCF_LEVELS)}{did_you_mean(level, PCF_LEVELS)}')
        expectations = []
        raw_exp = sf.get("expectations", dict, None)
        for area in raw_exp or {}:
            value = raw_exp[area]
            if area not in known_areas:
                diags.error(raw_exp.key_locs[area], "ref.unknown-key-area", f'stage expectations: unknown key area '
                            f'"{area}"{did_you_mean(area, known_areas)}')
            elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                diags.error(raw_exp.at(area), "field.value", f'stage expectations: "{area}" must be a level 1-5, not "{value}"')
            else:
                expectations.append((area, value))
        sf.done()
        if stage_id in {s.id for s, _ in out}:
            diags.error(sf.at("id"), "id.duplicate", f'stage id "{stage_id}" is used twice')
        elif None not in (stage_id, title, level, assessment):
            out.append((Stage(stage_id, title, level, assessment, tuple(expectations), node.loc), sf.at("assessment")))
    if raw is not None and not raw:
        diags.error(f.at("stages"), "programme.no-stages", "programme: no stages listed")
    return out


def check_title_lengths(title: str | None, stages: list[tuple[Stage, Location]], diags: Diagnostics) -> None:
    """Each package is titled "<programme> – <stage>": SCORM 1.2's XSD and 2004's SPM allow 200 characters."""
    for stage, _ in stages if title else ():
        length = len(title) + len(TITLE_JOIN) + len(stage.title)
        if length > MAX_TITLE:
            diags.error(stage.location, "title.too-long", f'stage "{stage.id}": the package title (programme title, '
                        f'"{TITLE_JOIN.strip()}", stage title) has {length} characters; SCORM allows {MAX_TITLE}: '
                        "shorten the programme or stage title")


def read_formats(f: Fields, diags: Diagnostics) -> tuple[str, ...]:
    raw = f.get("formats", list, None)
    if raw is None:
        return default_formats()
    formats = tuple(registry())
    out = []
    for i, value in enumerate(raw):
        if value not in formats:
            diags.error(raw.at(i), "format.unknown",
                        f'unknown format "{value}"; expected one of {", ".join(formats)}{did_you_mean(value, formats)}')
        elif value not in out:
            out.append(value)
    return tuple(v for v in formats if v in out)


def read_theme(f: Fields, root: Path, media: MediaRefs, diags: Diagnostics) -> dict[str, str]:
    theme = {"primary_colour": "#1d4f91", "accent_colour": "#8a3b12", "logo": ""}
    raw = f.get("theme", dict, None)
    if raw is None:
        return theme
    tf = Fields(raw, diags, "theme")
    for key in ("primary_colour", "accent_colour"):
        value = tf.get(key, str, theme[key])
        if not COLOUR_RE.match(value):
            diags.error(tf.at(key), "field.value", f'theme: {key} "{value}" must be a colour like #1d4f91')
        theme[key] = value
    logo = tf.get("logo", str, "")
    tf.done()
    if logo:
        target, written = safe_join(root, logo), logo
        logo = posixpath.normpath(logo)  # "./media/x.svg" and "media/../media/x.svg" are one zip entry: media/x.svg
        if target is None:
            code, message = refused_path(written)
            diags.error(tf.at("logo"), code, f"theme: logo: {message}")
        elif not target.is_file():
            diags.error(tf.at("logo"), "image.missing", f'theme: logo "{logo}" not found')
        else:
            media.used.setdefault(logo, tf.at("logo"))
            theme["logo"] = logo
    return theme

