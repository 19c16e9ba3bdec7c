"""The structural check of an xAPI Profile document: xAPI Profiles 1.0 §4-§9, every problem with its path."""
from __future__ import annotations

from types import MappingProxyType

import json
import re
from dataclasses import dataclass

from elearn_builder.xapi.jsonpath import JSONPathError, parse
from elearn_builder.xapi.profile import CONFORMS_TO, CONTEXT_TYPES, PROFILE_CONTEXT, WELL_KNOWN

CONCEPT_TYPES = frozenset({"Verb", "ActivityType", "AttachmentUsageType", "ContextExtension", "ResultExtension",
                 "ActivityExtension", "StateResource", "AgentProfileResource", "ActivityProfileResource", "Activity"})
_COMMON = frozenset({"id", "type", "inScheme", "prefLabel", "definition", "deprecated"})
_RELATIONS = frozenset({"broader", "broadMatch", "narrower", "narrowMatch", "related", "relatedMatch", "exactMatch"})
_SCHEMA = frozenset({"context", "schema", "inlineSchema"})
ALLOWED = MappingProxyType({kind: frozenset(keys) for kind, keys in {
    "Profile": {"@context", "id", "type", "conformsTo", "prefLabel", "definition", "seeAlso", "versions", "author",
                "concepts", "templates", "patterns"},
    **{kind: _COMMON | _RELATIONS for kind in ("Verb", "ActivityType", "AttachmentUsageType")},
    **{kind: _COMMON | _SCHEMA | {"recommendedVerbs"} for kind in ("ContextExtension", "ResultExtension")},
    "ActivityExtension": _COMMON | _SCHEMA | {"recommendedActivityTypes"},
    **{kind: _COMMON | _SCHEMA | {"contentType"}
       for kind in ("StateResource", "AgentProfileResource", "ActivityProfileResource")},
    "Activity": {"id", "type", "inScheme", "deprecated", "activityDefinition"},
    "StatementTemplate": _COMMON | {"verb", "objectActivityType", "contextGroupingActivityType",
                                    "contextParentActivityType", "contextOtherActivityType",
                                    "contextCategoryActivityType", "attachmentUsageType",
                                    "objectStatementRefTemplate", "contextStatementRefTemplate", "rules"},
    "Pattern": _COMMON | {"primary", "alternates", "optional", "oneOrMore", "sequence", "zeroOrMore"},
    "rule": {"location", "selector", "presence", "any", "all", "none", "scopeNote"},
}.items()})
PATTERN_KINDS = ("sequence", "alternates", "optional", "oneOrMore", "zeroOrMore")
_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+$")
_LANG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
_EXTENSION_IN_PATH = re.compile(r"\.(context|result|definition)\.extensions\[['\"]([^'\"]+)['\"]\]")


def _empties(value, path: str) -> list[str]:
    if value is None or value == "" or value == {} or value == []:
        return [f"{path}: empty value {json.dumps(value)} (null, empty strings, objects and arrays are not allowed)"]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _empties(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _empties(item, f"{path}[{i}]")]
    return []


def _check_object(obj, kind: str, path: str, required: tuple[str, ...]) -> list[str]:
    if not isinstance(obj, dict):
        return [f"{path}: expected an object, got {json.dumps(obj)[:40]}"]
    problems = [f"{path}: {key} is required" for key in required if key not in obj]
    problems += [f"{path}: unknown property {key!r} (properties outside the spec must be IRIs)"
                 for key in obj if key not in ALLOWED[kind] and not key.startswith("@") and ":" not in key]
    for key in ("prefLabel", "definition", "scopeNote"):
        value = obj.get(key)
        if value is not None and not (isinstance(value, dict) and all(
                _LANG.match(k) and isinstance(v, str) for k, v in value.items())):
            problems.append(f"{path}.{key}: expected a language map")
    return problems


def _refs(values, path: str, ok, what: str) -> list[str]:
    values = values if isinstance(values, list) else [values]
    return [f"{path}: {value!r} is not {what}" for value in values if not ok(value)]


def _check_rule(rule, path: str, terms: dict[str, str]) -> list[str]:
    problems = _check_object(rule, "rule", path, ("location",))
    if problems and not isinstance(rule, dict):
        return problems
    if not any(key in rule for key in ("presence", "any", "all", "none")):
        problems.append(f"{path}: needs at least one of presence, any, all, none")
    if rule.get("presence", "included") not in ("included", "excluded", "recommended"):
        problems.append(f"{path}.presence: {rule['presence']!r} is not included, excluded or recommended")
    problems += [f"{path}.{key}: expected an array" for key in ("any", "all", "none")
                 if key in rule and not isinstance(rule[key], list)]
    for key in ("location", "selector"):
        try:
            if key in rule:
                parse(rule[key])
        except (JSONPathError, TypeError) as error:
            problems.append(f"{path}.{key}: {error}")
    for slot, iri in _EXTENSION_IN_PATH.findall(rule.get("location", "")):
        wanted = {"context": "ContextExtension", "result": "ResultExtension", "definition": "ActivityExtension"}[slot]
        if terms.get(iri) != wanted:
            found = f"a {terms[iri]}" if iri in terms else "not a concept of the profile nor a well-known IRI"
            problems.append(f"{path}.location: {iri} is {found}, so it cannot be used in {slot}.extensions")
    return problems


def _check_pattern(pattern: dict, path: str, ids: dict[str, str], patterns: dict[str, dict]) -> list[str]:
    kinds = [kind for kind in PATTERN_KINDS if kind in pattern]
    if len(kinds) != 1:
        return [f"{path}: needs exactly one of {', '.join(PATTERN_KINDS)}, has {kinds or 'none'}"]
    kind, problems = kinds[0], []
    members = pattern[kind] if isinstance(pattern[kind], list) else [pattern[kind]]
    if kind in ("sequence", "alternates") and (not isinstance(pattern[kind], list) or len(members) < 2) and not (
            kind == "sequence" and pattern.get("primary") and len(members) == 1
            and ids.get(members[0]) == "StatementTemplate"):
        problems.append(f"{path}.{kind}: needs an array of at least two members")
    if kind not in ("sequence", "alternates") and isinstance(pattern[kind], list):
        problems.append(f"{path}.{kind}: expected a single template or pattern id")
    problems += _refs(members, f"{path}.{kind}", lambda m: ids.get(m) in ("StatementTemplate", "Pattern"),
                      "a template or pattern of the profile")
    if kind == "alternates":
        problems += [f"{path}.alternates: {m} is an optional or zeroOrMore pattern, not allowed in alternates"
                     for m in members if any(k in patterns.get(m, {}) for k in ("optional", "zeroOrMore"))]
    if pattern.get("primary") and not ("prefLabel" in pattern and "definition" in pattern):
        problems.append(f"{path}: a primary pattern needs prefLabel and definition")
    return problems


def _members(pattern: dict) -> list[str]:
    return [m for kind in PATTERN_KINDS if kind in pattern
            for m in (pattern[kind] if isinstance(pattern[kind], list) else [pattern[kind]])]


def _reachable(start: str, patterns: dict[str, dict]) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for member in _members(patterns.get(todo.pop(), {})):
            if member not in seen:
                seen.add(member)
                todo.append(member)
    return seen


@dataclass
class _Index:
    """What the checks of one entry need to know about the rest of the profile."""

    versions: set
    ids: dict
    terms: dict
    patterns: dict

    def is_a(self, kind: str):
        return lambda iri: self.terms.get(iri) == kind


def _check_header(doc: dict) -> list[str]:
    problems = _check_object(doc, "Profile", "$", ("@context", "id", "type", "conformsTo", "prefLabel", "definition",
                                                   "versions", "author"))
    context = doc.get("@context")
    if PROFILE_CONTEXT not in (context if isinstance(context, list) else [context]):
        problems.append(f"$.@context: must be (or contain) {PROFILE_CONTEXT}")
    problems += [f"$.{key}: expected {value!r}, got {doc.get(key)!r}" for key, value in
                 (("type", "Profile"), ("conformsTo", CONFORMS_TO)) if key in doc and doc[key] != value]
    for i, version in enumerate(doc.get("versions") if isinstance(doc.get("versions"), list) else []):
        if not isinstance(version, dict) or not {"id", "generatedAtTime"} <= version.keys():
            problems.append(f"$.versions[{i}]: needs id and generatedAtTime")
        elif version["id"] == doc.get("id"):
            problems.append(f"$.versions[{i}].id: a version id must differ from the profile id")
    author = doc.get("author")
    if author is not None and (not isinstance(author, dict) or "name" not in author
                               or author.get("type") not in ("Organization", "Person")):
        problems.append("$.author: needs type Organization or Person and a name")
    return problems


def _check_concept(item: dict, where: str, index: _Index) -> list[str]:
    kind = item.get("type")
    if kind not in CONCEPT_TYPES:
        return [f"{where}.type: {kind!r} is not a concept type"]
    required = ("activityDefinition",) if kind == "Activity" else ("prefLabel", "definition") + (
        ("contentType",) if kind.endswith("Resource") else ())
    problems = _check_object(item, kind, where, ("id", "type", "inScheme") + required)
    if "schema" in item and "inlineSchema" in item:
        problems.append(f"{where}: use schema or inlineSchema, not both")
    try:
        json.loads(item.get("inlineSchema", "{}"))
    except (TypeError, ValueError) as error:
        problems.append(f"{where}.inlineSchema: not a JSON Schema string ({error})")
    for key in ("broader", "narrower", "related"):
        problems += _refs(item.get(key, []), f"{where}.{key}", index.is_a(kind), f"a {kind} of this profile")
    return problems + _refs(item.get("recommendedVerbs", []), f"{where}.recommendedVerbs", index.is_a("Verb"),
                            "a verb")


def _check_template(item: dict, where: str, index: _Index) -> list[str]:
    problems = _check_object(item, "StatementTemplate", where, ("id", "type", "inScheme", "prefLabel", "definition"))
    if item.get("type") != "StatementTemplate":
        problems.append(f"{where}.type: expected 'StatementTemplate', got {item.get('type')!r}")
    if "objectActivityType" in item and "objectStatementRefTemplate" in item:
        problems.append(f"{where}: objectActivityType and objectStatementRefTemplate exclude each other")
    if "verb" in item:
        problems += _refs(item["verb"], f"{where}.verb", index.is_a("Verb"), "a known verb")
    for key in ("objectActivityType", *CONTEXT_TYPES):
        problems += _refs(item.get(key, []), f"{where}.{key}", index.is_a("ActivityType"), "a known activity type")
    for key in ("objectStatementRefTemplate", "contextStatementRefTemplate"):
        problems += _refs(item.get(key, []), f"{where}.{key}", lambda t: index.ids.get(t) == "StatementTemplate",
                          "a template of this profile")
    rules = item.get("rules") if isinstance(item.get("rules"), list) else []
    return problems + [p for i, rule in enumerate(rules) for p in _check_rule(rule, f"{where}.rules[{i}]", index.terms)]


def _check_pattern_entry(item: dict, where: str, index: _Index) -> list[str]:
    problems = _check_object(item, "Pattern", where, ("id", "type")) + _check_pattern(item, where, index.ids,
                                                                                       index.patterns)
    if item.get("type") != "Pattern":
        problems.append(f"{where}.type: expected 'Pattern', got {item.get('type')!r}")
    if item.get("id") in _reachable(item.get("id"), index.patterns):
        problems.append(f"{where}: the pattern contains itself")
    return problems


def check_profile(doc: dict) -> list[str]:
    """Every structural problem of a profile document (xAPI Profiles 1.0 §4-§9); an empty list when it is sound."""
    problems = _empties(doc, "$") + _check_header(doc)
    versions = {v.get("id") for v in doc.get("versions") or [] if isinstance(v, dict)}
    sections = {"concepts": _check_concept, "templates": _check_template, "patterns": _check_pattern_entry}
    entries = [(f"$.{section}[{i}]", section, item) for section in sections
               for i, item in enumerate(doc.get(section) or []) if isinstance(item, dict)]
    problems += [f"$.{section}[{i}]: expected an object" for section in sections
                 for i, item in enumerate(doc.get(section) or []) if not isinstance(item, dict)]
    index = _Index(versions, {doc.get("id", ""): "Profile", **{v: "version" for v in versions}},
                   {iri: kind for iri, (kind, *_rest) in WELL_KNOWN.items()}, {})
    for where, section, item in entries:
        if item.get("id") in index.ids:
            problems.append(f"{where}.id: {item.get('id')} is not unique")
        index.ids[item.get("id", "")] = item.get("type", "")
        if not _IRI.match(str(item.get("id", ""))):
            problems.append(f"{where}.id: expected an absolute IRI, got {item.get('id')!r}")
        if "inScheme" in item and item["inScheme"] not in versions:
            problems.append(f"{where}.inScheme: {item['inScheme']!r} is not a version of this profile")
        if section == "concepts":
            index.terms[item.get("id")] = item.get("type")
        if section == "patterns":
            index.patterns[item.get("id")] = item
    for where, section, item in entries:
        problems += sections[section](item, where, index)
    used = set().union(*(_reachable(p, index.patterns) for p, item in index.patterns.items() if item.get("primary")))
    return problems + [f"{where}: template {item.get('id')} is in no primary pattern"
                       for where, section, item in entries if section == "templates" and item.get("id") not in used]
