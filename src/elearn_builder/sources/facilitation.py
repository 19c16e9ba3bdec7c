"""Load the blend's master classes (facilitator session plans) and the deploying organisation's settings."""
from __future__ import annotations

from pathlib import Path

from elearn_builder.diagnostics import Diagnostics, did_you_mean
from elearn_builder.sources.fields import ID_RE, Fields, load_mapping, mapping
from elearn_builder.sources.markdown import Renderer
from elearn_builder.model import ORGANISATION_KEYS, Activity, Facilitation, Location, MasterClass
from elearn_builder.sources.reader import YMap

MAX_MINUTES = 8 * 60
"""A master class is one sitting: a day at most."""


def read_organisation(f: Fields, diags: Diagnostics) -> dict[str, str]:
    """``organisation:`` in programme.yaml: who deploys the programme, with what partners, audit and credit route.

    Every setting is optional plain text; an absent one is "" and the guide says the organisation fills it in.
    """
    out = {key: "" for key in ORGANISATION_KEYS}
    raw = f.get("organisation", dict, None)
    if raw is None:
        return out
    of = Fields(raw, diags, "organisation")
    for key in ORGANISATION_KEYS:
        out[key] = " ".join(of.get(key, str, "").split())
    of.done()
    return out


def load_facilitation(root: Path, rel: str, where: Location, stage_ids: set[str], module_ids: set[str],
                      renderer: Renderer, diags: Diagnostics, parses=None) -> Facilitation | None:
    """The master classes file named by ``master_classes:`` in programme.yaml, every problem located."""
    data = load_mapping(root, rel, where, diags, "a master classes file", parses)
    if data is None:
        return None
    f = Fields(data, diags, "master classes")
    title = f.get("title", str)
    intro = markdown(f, "intro", rel, renderer, "")
    raw = f.get("classes", list)
    f.done()
    classes, seen = [], set()
    for i, item in enumerate(raw or []):
        node = mapping(item, diags, raw.at(i), "a master class")
        if node is None:
            continue
        session = master_class(node, rel, stage_ids, module_ids, renderer, diags)
        if session is None:
            continue
        if session.id in seen:
            diags.error(node.loc, "id.duplicate", f'master class id "{session.id}" is used twice')
            continue
        seen.add(session.id)
        classes.append(session)
    if raw is not None and not raw:
        diags.error(f.at("classes"), "masterclass.none", "master classes: no classes listed")
    if title is None or raw is None or len(classes) != len(raw):
        return None
    return Facilitation(title=title, intro_html=intro, classes=tuple(classes), location=Location(rel, 1, 1))


def markdown(f: Fields, key: str, rel: str, renderer: Renderer, default=None) -> str | None:
    text = f.get(key, str, default) if default is not None else f.get(key, str)
    return None if text is None else renderer.render(text, rel, f.at(key).line)


def texts(f: Fields, key: str, what: str, diags: Diagnostics) -> tuple[str, ...] | None:
    """A required, non-empty list of plain-text lines (aims, materials)."""
    raw = f.get(key, list)
    if raw is None:
        return None
    out = []
    for i, value in enumerate(raw):
        if not isinstance(value, str) or not value.strip():
            diags.error(raw.at(i), "field.type", f"master class: each of the {what} is a line of text")
            return None
        out.append(" ".join(value.split()))
    if not out:
        diags.error(f.at(key), "field.value", f"master class: list at least one of the {what}")
        return None
    return tuple(out)


def master_class(node: YMap, rel: str, stage_ids: set[str], module_ids: set[str], renderer: Renderer,
                 diags: Diagnostics) -> MasterClass | None:
    f = Fields(node, diags, "master class")
    cid, title = f.get("id", str, pattern=ID_RE), f.get("title", str)
    minutes = f.get("minutes", int)
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        diags.error(f.at("minutes"), "field.value", f"master class: minutes must be 1-{MAX_MINUTES}, not {minutes}")
        minutes = None
    when = markdown(f, "when", rel, renderer)
    modules = f.get("modules", list, None)
    for i, mid in enumerate(modules or []):
        if not isinstance(mid, str):
            diags.error(modules.at(i), "field.type", "master class: each of the modules is a module id")
            modules = None
            break
        if mid not in module_ids:
            diags.error(modules.at(i), "ref.unknown-module", f'master class: unknown module "{mid}"'
                        f'{did_you_mean(mid, module_ids)}')
    aims, materials = texts(f, "aims", "aims", diags), texts(f, "materials", "materials", diags)
    self_assessment = markdown(f, "self_assessment", rel, renderer)
    activities = read_activities(f, rel, renderer, diags)
    notes = read_stage_notes(f, rel, stage_ids, renderer, diags)
    f.done()
    if activities and minutes is not None and sum(a.minutes for a in activities) != minutes:
        diags.error(f.at("activities"), "masterclass.timing",
                    f'master class "{cid}": the activities take {sum(a.minutes for a in activities)} minutes, '
                    f"the session {minutes}; make them add up")
        return None
    if None in (cid, title, minutes, when, aims, materials, self_assessment, activities, notes):
        return None
    return MasterClass(id=cid, title=title, minutes=minutes, when_html=when, modules=tuple(modules or ()),
                       aims=aims, materials=materials, self_assessment_html=self_assessment,
                       activities=activities, stage_notes=notes)


def read_activities(f: Fields, rel: str, renderer: Renderer, diags: Diagnostics) -> tuple[Activity, ...] | None:
    raw = f.get("activities", list)
    if raw is None:
        return None
    out = []
    for i, item in enumerate(raw):
        node = mapping(item, diags, raw.at(i), "an activity")
        if node is None:
            return None
        af = Fields(node, diags, "activity")
        minutes, title = af.get("minutes", int), af.get("title", str)
        html = markdown(af, "how", rel, renderer)
        af.done()
        if minutes is not None and minutes < 1:
            diags.error(af.at("minutes"), "field.value", "activity: minutes must be at least 1")
            return None
        if None in (minutes, title, html):
            return None
        out.append(Activity(minutes=minutes, title=title, html=html))
    if not out:
        diags.error(f.at("activities"), "field.value", "master class: list at least one activity")
        return None
    return tuple(out)


def read_stage_notes(f: Fields, rel: str, stage_ids: set[str], renderer: Renderer,
                     diags: Diagnostics) -> tuple[tuple[str, str], ...] | None:
    raw = f.get("stages", dict, None)
    out, ok = [], True
    for sid in raw or {}:
        if sid not in stage_ids:
            diags.error(raw.key_locs[sid], "ref.unknown-stage", f'master class: unknown stage "{sid}"'
                        f'{did_you_mean(str(sid), stage_ids)}')
            ok = False
            continue
        value = raw[sid]
        if not isinstance(value, str):
            diags.error(raw.at(sid), "field.type", f'master class: the notes for stage "{sid}" are Markdown text')
            ok = False
            continue
        out.append((sid, renderer.render(value, rel, raw.at(sid).line)))
    return tuple(out) if ok else None
