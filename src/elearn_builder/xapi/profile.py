"""The programme's xAPI Profile: loading it, its vocabulary by short key, and a structural check (xAPI Profiles 1.0)."""
from __future__ import annotations

from types import MappingProxyType

import json
import os
from dataclasses import dataclass
from pathlib import Path


PROFILE_CONTEXT = "https://w3id.org/xapi/profiles/context"
CONFORMS_TO = "https://w3id.org/xapi/profiles#1.0"
PROFILE_NAME = "reflective-supervision.jsonld"
PACKAGED_PATH = Path(__file__).resolve().parents[1] / "xapi_profiles" / PROFILE_NAME
"""The programme's profile as installed with the tool (package data: pyproject's force-include)."""
SOURCE_PATH = Path(__file__).resolve().parents[3] / "xapi_profiles" / PROFILE_NAME
"""The same file in the repository, which an editable install reads."""
DEFAULT_PATH = PACKAGED_PATH if PACKAGED_PATH.is_file() else SOURCE_PATH
"""The programme's profile; ``$ELEARN_PROFILE`` or a command's ``--profile`` names another file."""

ADL_VERB, ADL_TYPE = "http://adlnet.gov/expapi/verbs/", "http://adlnet.gov/expapi/activities/"
CMI5 = "https://w3id.org/xapi/cmi5/"
WELL_KNOWN: MappingProxyType[str, tuple[str, str, str, str]] = MappingProxyType({
    **{ADL_VERB + verb: ("Verb", key, label, "ADL") for verb, key, label in (
        ("initialized", "initialized", "initialised"), ("experienced", "experienced", "experienced"),
        ("answered", "answered", "answered"), ("passed", "passed", "passed"), ("failed", "failed", "failed"),
        ("completed", "completed", "completed"), ("suspended", "suspended", "suspended"),
        ("resumed", "resumed", "resumed"), ("terminated", "terminated", "terminated"))},
    **{ADL_TYPE + kind: ("ActivityType", key, label, "ADL") for kind, key, label in (
        ("course", "course", "course"), ("module", "module", "module"), ("lesson", "lesson", "lesson (a page)"),
        ("assessment", "assessment", "assessment"), ("cmi.interaction", "interaction", "interaction (question)"),
        ("profile", "profile", "xAPI profile"))},
    CMI5 + "context/extensions/sessionid": ("ContextExtension", "session", "session id", "cmi5"),
    CMI5 + "result/extensions/progress": ("ResultExtension", "progress", "progress (0-100)", "cmi5"),
})
"""Concepts of other profiles that ours uses but must not redefine (§7): IRI -> (type, key, en-GB label, source)."""

CONTEXT_TYPES = ("contextGroupingActivityType", "contextParentActivityType", "contextOtherActivityType",
                 "contextCategoryActivityType")
"""The determining properties that name context activity types."""


def load_profile(path: str | Path | None = None) -> dict:
    """The profile document as plain JSON (no JSON-LD processing needed to use it).

    Without a path: ``$ELEARN_PROFILE``, else the programme's profile installed with the tool.
    """
    from elearn_builder.diagnostics import ElearnError

    given = path or os.environ.get("ELEARN_PROFILE")
    found = Path(given) if given else DEFAULT_PATH
    if not found.is_file():
        hint = "give --profile FILE or set ELEARN_PROFILE" if given else "reinstall elearn-builder, or give --profile FILE"
        raise ElearnError(f"no xAPI profile at {found}: {hint}")
    try:
        return json.loads(found.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ElearnError(f"{found}: the xAPI profile is not JSON: {exc}") from None


@dataclass(frozen=True)
class Term:
    """One verb, activity type or extension the profile's statements use."""

    key: str
    id: str
    type: str
    label: str
    definition: str
    source: str
    """``profile`` for our own concepts, else the vocabulary it comes from (``ADL``, ``cmi5``)."""


def _text(language_map: dict | None) -> str:
    language_map = language_map or {}
    return language_map.get("en-GB") or next(iter(language_map.values()), "")


class Vocabulary:
    """Verbs, activity types and extensions by short key: our concepts plus the well-known ones we reuse."""

    def __init__(self, doc: dict) -> None:
        self.doc = doc
        self.profile_id = doc["id"]
        self.version = doc["versions"][0]["id"]
        self.templates = {t["id"]: t for t in doc.get("templates", [])}
        self.patterns = {p["id"]: p for p in doc.get("patterns", [])}
        terms = [Term(key, iri, kind, label, "", source) for iri, (kind, key, label, source) in WELL_KNOWN.items()]
        terms += [Term(c["id"].rstrip("/").rsplit("/", 1)[-1], c["id"], c["type"], _text(c.get("prefLabel")),
                       _text(c.get("definition")), "profile") for c in doc.get("concepts", [])]
        self.by_id = {term.id: term for term in terms}
        self.paths: dict[str, tuple] = {}
        """The JSONPaths of the profile's rules, parsed (``path``)."""

    def path(self, text: str) -> tuple:
        """``jsonpath.parse(text)``, once per path of this profile."""
        parsed = self.paths.get(text)
        if parsed is None:
            from elearn_builder.xapi.jsonpath import parse

            parsed = self.paths[text] = parse(text)
        return parsed

    def terms(self, *types: str) -> list[Term]:
        """The terms of the given concept types, sorted by key."""
        return sorted((t for t in self.by_id.values() if t.type in types), key=lambda t: (t.key, t.id))

    def _find(self, key: str, *types: str) -> Term:
        found = [t for t in self.terms(*types) if t.key == key]
        if not found:
            known = ", ".join(t.key for t in self.terms(*types))
            raise KeyError(f"no {' or '.join(types)} {key!r} in the profile (known: {known})")
        return found[0]

    def verb(self, key: str) -> dict:
        """The verb with its display in ``en-GB``, ``en`` and ``en-US``: readers look up one of the plain tags
        (the Open edX cmi5 XBlock reads ``display["en"]``), so each gets the profile's label in that
        language, else the ADL one for ADL's verbs (``initialized``), else the British one."""
        term = self._find(key, "Verb")
        concept = next((c for c in self.doc.get("concepts", []) if c["id"] == term.id), None)
        labels = dict((concept or {}).get("prefLabel") or {})
        plain = labels.get("en-US") or labels.get("en") or (term.id.rsplit("/", 1)[-1] if term.source == "ADL"
                                                            else term.label)
        return {"id": term.id, "display": {"en-GB": term.label, "en": labels.get("en") or plain,
                                           "en-US": labels.get("en-US") or plain}}

    def activity_type(self, key: str) -> str:
        return self._find(key, "ActivityType").id

    def extension(self, key: str) -> str:
        return self._find(key, "ContextExtension", "ResultExtension", "ActivityExtension").id

    def category(self) -> dict:
        """The context activity that marks a statement as following this profile version."""
        return {"id": self.version, "definition": {"type": self.activity_type("profile")}}

    def for_runtime(self) -> dict:
        """The compact vocabulary the package runtime builds its statements from."""
        extensions = self.terms("ContextExtension", "ResultExtension", "ActivityExtension")
        return {"profile": self.version, "category": self.category(),
                "verbs": {t.key: self.verb(t.key) for t in self.terms("Verb")},
                "activityTypes": {t.key: t.id for t in self.terms("ActivityType")},
                "extensions": {t.key: t.id for t in extensions}}
