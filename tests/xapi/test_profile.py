"""The programme's xAPI Profile: its structure, its JSON-LD, its vocabulary, and check_profile catching faults."""
from __future__ import annotations

import copy
from pathlib import Path
import json

import pytest
import yaml

from elearn_builder.xapi.profile import CONFORMS_TO, DEFAULT_PATH, PROFILE_CONTEXT, WELL_KNOWN, Vocabulary, load_profile
from elearn_builder.xapi.profile_check import check_profile

REPO_ROOT = Path(__file__).resolve().parents[2]
PROFILE = load_profile()
IRI = yaml.safe_load((REPO_ROOT / "content" / "programme.yaml").read_text(encoding="utf-8"))["iri"]
V = f"{IRI}/profile/v1.0"
T = f"{IRI}/profile/templates/"
ACTIVITY_CONTEXT = "https://w3id.org/xapi/profiles/activity-context"


def broken(change) -> list[str]:
    """check_profile's findings on a copy of the profile that ``change`` has altered."""
    doc = copy.deepcopy(PROFILE)
    change(doc)
    return check_profile(doc)


def concept(doc: dict, iri: str) -> dict:
    return next(c for c in doc["concepts"] if c["id"] == iri)


def template(doc: dict, name: str) -> dict:
    return next(t for t in doc["templates"] if t["id"] == T + name)


def pattern(doc: dict, name: str) -> dict:
    return next(p for p in doc["patterns"] if p["id"] == f"{IRI}/profile/patterns/{name}")


# --- the document itself --------------------------------------------------------------------------

def test_the_profile_passes_its_structural_check():
    assert check_profile(PROFILE) == []


def test_the_profile_is_found_in_the_repository():
    assert DEFAULT_PATH == REPO_ROOT / "xapi_profiles" / "reflective-supervision.jsonld"


def test_the_profile_names_the_programme_iri_version_author_and_context():
    assert PROFILE["@context"] == PROFILE_CONTEXT
    assert PROFILE["type"] == "Profile" and PROFILE["conformsTo"] == CONFORMS_TO
    assert PROFILE["id"] == f"{IRI}/profile"
    assert [v["id"] for v in PROFILE["versions"]] == [V]
    assert PROFILE["author"] == {"type": "Organization", "name": "The Reflective Supervision Partnership"}
    assert set(PROFILE["prefLabel"]) == set(PROFILE["definition"]) == {"en-GB"}


def test_every_language_map_is_british_english_and_verb_labels_also_plain_and_us_english():
    """Readers that look up a verb's display by ``en`` (the Open edX cmi5 XBlock) or ``en-US`` find it too."""
    def maps(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("prefLabel", "definition", "scopeNote"):
                    yield item, value.get("type") == "Verb" and key == "prefLabel"
                yield from maps(item)
        elif isinstance(value, list):
            for item in value:
                yield from maps(item)

    found = list(maps(PROFILE))
    assert len(found) > 50 and all(set(m) == ({"en-GB", "en", "en-US"} if verb else {"en-GB"}) for m, verb in found)
    assert sum(verb for _m, verb in found) == len([c for c in PROFILE["concepts"] if c["type"] == "Verb"]) >= 1


def test_our_concepts_live_under_the_programme_iri_and_others_are_only_referenced():
    """§7: a profile must not redefine a concept of another profile (ADL, cmi5)."""
    ids = [c["id"] for c in PROFILE["concepts"]]
    assert all(i.startswith(f"{IRI}/") for i in ids)
    assert not set(ids) & set(WELL_KNOWN)
    assert "https://w3id.org/xapi/adl/verbs/satisfied" not in json.dumps(PROFILE)


def test_the_concepts_are_the_ones_the_programme_needs():
    by_type = {}
    for c in PROFILE["concepts"]:
        by_type.setdefault(c["type"], set()).add(c["id"].removeprefix(IRI))
    assert by_type == {
        "Verb": {"/verbs/self-assessed"},
        "ActivityType": {"/activity-types/self-assessment", "/activity-types/self-assessment-statement",
                         "/activity-types/key-area"},
        "ContextExtension": {f"/extensions/{k}" for k in ("stage", "key-area", "pcf-domains", "attempt", "bank",
                                                           "organisation")},
        "ResultExtension": {"/extensions/scores", "/extensions/gaps", "/extensions/expected-levels"},
    }


def test_every_statement_the_runtime_sends_has_a_template():
    assert {t["id"].removeprefix(T) for t in PROFILE["templates"]} == {
        "initialized", "page-experienced", "self-assessment-answered", "self-assessed", "question-answered",
        "passed", "failed", "completed", "suspended", "resumed", "terminated"}


@pytest.mark.parametrize("name", ["initialized", "page-experienced", "self-assessment-answered", "self-assessed",
                                  "question-answered", "passed", "failed", "completed", "suspended", "resumed",
                                  "terminated"])
def test_every_template_requires_registration_stage_session_and_the_profile_category(name):
    rules = {r["location"]: r for r in template(PROFILE, name)["rules"]}
    for location in ("$.id", "$.timestamp", "$.context.registration",
                     f"$.context.extensions['{IRI}/extensions/stage']",
                     "$.context.extensions['https://w3id.org/xapi/cmi5/context/extensions/sessionid']"):
        assert rules[location]["presence"] == "included", location
    assert rules["$.context.contextActivities.category[*].id"]["any"] == [V]


@pytest.mark.parametrize("name, success", [("passed", True), ("failed", False)])
def test_a_verdict_needs_a_scaled_score_success_and_duration(name, success):
    rules = {r["location"]: r for r in template(PROFILE, name)["rules"]}
    assert rules["$.result.score.scaled"]["presence"] == "included"
    assert rules["$.result.success"] == {"location": "$.result.success", "presence": "included", "all": [success]}
    assert rules["$.result.duration"]["presence"] == "included"


def test_satisfied_is_never_used_and_cmi5_verbs_come_from_adl():
    verbs = {t.get("verb") for t in PROFILE["templates"]}
    assert verbs == {f"http://adlnet.gov/expapi/verbs/{v}" for v in (
        "initialized", "experienced", "answered", "passed", "failed", "completed", "suspended", "resumed",
        "terminated")} | {f"{IRI}/verbs/self-assessed"}


def test_the_primary_pattern_covers_a_registration_of_sessions():
    primary = [p for p in PROFILE["patterns"] if p.get("primary")]
    assert [p["id"] for p in primary] == [f"{IRI}/profile/patterns/registration"]
    assert primary[0]["oneOrMore"] == f"{IRI}/profile/patterns/session"
    assert pattern(PROFILE, "session")["sequence"][0] == T + "initialized"


def test_every_inline_schema_is_a_draft_07_json_schema():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extras")
    extensions = [c for c in PROFILE["concepts"] if c["type"].endswith("Extension")]
    assert len(extensions) == 9
    for c in extensions:
        schema = json.loads(c["inlineSchema"])
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
        jsonschema.Draft7Validator.check_schema(schema)


@pytest.mark.parametrize("key, good, bad", [
    ("pcf-domains", [5, 6, 9], [0]), ("pcf-domains", [1], []), ("attempt", 1, 0), ("stage", "manager", "Manager"),
    ("scores", {"pcf": 2.5}, {}), ("gaps", {"pcf": 0}, {"pcf": -1}), ("expected-levels", {"pcf": 3}, {"pcf": 2.5}),
    ("organisation", "council-a", " "), ("bank", "main", "Main bank")])
def test_inline_schemas_accept_good_values_and_refuse_bad_ones(key, good, bad):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extras")
    schema = json.loads(concept(PROFILE, f"{IRI}/extensions/{key}")["inlineSchema"])
    assert jsonschema.Draft7Validator(schema).is_valid(good)
    assert not jsonschema.Draft7Validator(schema).is_valid(bad)


# --- JSON-LD ------------------------------------------------------------------------------------

def _loader(schemas_dir):
    local = {PROFILE_CONTEXT: schemas_dir / "xapi_profiles" / "profile-context.jsonld",
             ACTIVITY_CONTEXT: schemas_dir / "xapi_profiles" / "activity-context.jsonld"}

    def load(url, options=None):
        if url.rstrip("/") not in local:
            raise AssertionError(f"the test may not fetch {url}")
        document = json.loads(local[url.rstrip("/")].read_text(encoding="utf-8"))
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def _keys(value, skip=("prefLabel", "definition", "scopeNote", "@context")):
    """Every property name used in the compact document (language maps' tags excluded)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in ("@context",):
                yield key
            if key not in skip:
                yield from _keys(item, skip)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item, skip)


def _expanded_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _expanded_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _expanded_keys(item)


def test_the_profile_expands_against_the_local_profiles_context_without_dropping_anything(schemas_dir):
    from pyld import jsonld  # a test extra

    expanded = jsonld.expand(copy.deepcopy(PROFILE), {"documentLoader": _loader(schemas_dir)})
    context = json.loads((schemas_dir / "xapi_profiles" / "profile-context.jsonld").read_text())["@context"]
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}

    def iri(term: str) -> str:
        definition = context[term]
        target = definition if isinstance(definition, str) else definition["@id"]
        prefix, _, rest = target.partition(":")
        return prefixes[prefix] + rest if prefix in prefixes else target

    used = set(_keys(PROFILE))
    assert used <= set(context), f"terms the context does not define: {sorted(used - set(context))}"
    found = set(_expanded_keys(expanded))
    assert all(k.startswith("@") or k.startswith(("http://", "https://")) for k in found), found
    expected = {iri(term) for term in used if context[term] not in ("@id", "@type")}
    assert expected <= found, f"dropped in expansion: {sorted(expected - found)}"
    graph = expanded[0]
    assert graph["@id"] == PROFILE["id"]
    assert len(graph["https://w3id.org/xapi/profiles/ontology#templates"]) == len(PROFILE["templates"])
    assert len(graph["https://w3id.org/xapi/profiles/ontology#concepts"]) == len(PROFILE["concepts"])
    rules = [r for t in graph["https://w3id.org/xapi/profiles/ontology#templates"]
             for r in t["https://w3id.org/xapi/profiles/ontology#rules"]]
    assert len(rules) == sum(len(t["rules"]) for t in PROFILE["templates"])


def test_the_expanded_profile_keeps_iris_as_iris(schemas_dir):
    from pyld import jsonld

    graph = jsonld.expand(copy.deepcopy(PROFILE), {"documentLoader": _loader(schemas_dir)})[0]
    template = next(t for t in graph["https://w3id.org/xapi/profiles/ontology#templates"]
                    if t["@id"] == T + "passed")
    assert template["https://w3id.org/xapi/profiles/ontology#verb"] == [{"@id": "http://adlnet.gov/expapi/verbs/passed"}]
    assert template["http://www.w3.org/2004/02/skos/core#inScheme"] == [{"@id": V}]


# --- the vocabulary -----------------------------------------------------------------------------

def test_vocabulary_gives_verbs_activity_types_and_extensions_by_key():
    vocab = Vocabulary(PROFILE)
    assert vocab.verb("answered") == {"id": "http://adlnet.gov/expapi/verbs/answered",
                                      "display": {"en-GB": "answered", "en": "answered", "en-US": "answered"}}
    assert vocab.verb("initialized")["display"] == {"en-GB": "initialised", "en": "initialized", "en-US": "initialized"}
    assert vocab.verb("self-assessed")["display"] == dict.fromkeys(("en-GB", "en", "en-US"), "self-assessed")
    runtime = vocab.for_runtime()["verbs"]
    assert all({"en-GB", "en", "en-US"} <= set(v["display"]) for v in runtime.values()) and len(runtime) >= 9
    assert vocab.verb("self-assessed")["id"] == f"{IRI}/verbs/self-assessed"
    assert vocab.activity_type("interaction") == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert vocab.activity_type("key-area") == f"{IRI}/activity-types/key-area"
    assert vocab.extension("key-area") == f"{IRI}/extensions/key-area"
    assert vocab.extension("session") == "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
    assert vocab.extension("progress") == "https://w3id.org/xapi/cmi5/result/extensions/progress"
    assert vocab.category() == {"id": V, "definition": {"type": "http://adlnet.gov/expapi/activities/profile"}}


def test_an_unknown_key_names_the_known_ones():
    with pytest.raises(KeyError, match="known: answered, completed"):
        Vocabulary(PROFILE).verb("satisfied")
    with pytest.raises(KeyError, match="ActivityType 'answered'"):
        Vocabulary(PROFILE).activity_type("answered")


def test_for_runtime_is_a_compact_json_dict_covering_every_template():
    data = Vocabulary(PROFILE).for_runtime()
    assert json.loads(json.dumps(data)) == data
    assert data["profile"] == V and data["category"]["id"] == V
    verbs = {v["id"] for v in data["verbs"].values()}
    types = set(data["activityTypes"].values())
    for t in PROFILE["templates"]:
        assert t.get("verb", next(iter(verbs))) in verbs
        assert t.get("objectActivityType", next(iter(types))) in types
    assert len(json.dumps(data, separators=(",", ":"))) < 3400  # three displays per verb (en-GB, en, en-US)


# --- check_profile finds faults ------------------------------------------------------------------

@pytest.mark.parametrize("change, expected", [
    (lambda d: d.pop("author"), "$: author is required"),
    (lambda d: d.update(type="profile"), "$.type: expected 'Profile'"),
    (lambda d: d.update({"@context": "https://example.org/context"}), "$.@context: must be"),
    (lambda d: d.update(conformsTo="https://w3id.org/xapi/profiles#0.9"), "$.conformsTo: expected"),
    (lambda d: d["versions"][0].update(id=d["id"]), "$.versions[0].id: a version id must differ"),
    (lambda d: d.update(author={"name": "Someone"}), "$.author: needs type Organization or Person"),
    (lambda d: d.update(seeAlso=""), "$.seeAlso: empty value"),
    (lambda d: d["concepts"][0].update(broadMatch=[]), "$.concepts[0].broadMatch: empty value"),
    (lambda d: d["templates"][0]["rules"][0].update(scopeNote={}), "$.templates[0].rules[0].scopeNote: empty value"),
    (lambda d: d["patterns"][0].update(definition=None), "$.patterns[0].definition: empty value"),
    (lambda d: d["concepts"][0].update(inScheme=d["id"]), "$.concepts[0].inScheme: 'https://xapi"),
    (lambda d: d["concepts"][1].update(id=d["concepts"][0]["id"]),
     f"$.concepts[1].id: {IRI}/verbs/self-assessed is not unique"),
    (lambda d: d["concepts"][0].update(id="self-assessed"), "$.concepts[0].id: expected an absolute IRI"),
    (lambda d: d["concepts"][0].update(type="Verbs"), "$.concepts[0].type: 'Verbs' is not a concept type"),
    (lambda d: d["concepts"][0].pop("definition"), "$.concepts[0]: definition is required"),
    (lambda d: d["concepts"][0].update(prefLable={"en-GB": "x"}), "$.concepts[0]: unknown property 'prefLable'"),
    (lambda d: d["concepts"][0].update(prefLabel="self-assessed"), "$.concepts[0].prefLabel: expected a language map"),
    (lambda d: d["concepts"][4].update(schema="https://example.org/s.json"), "use schema or inlineSchema, not both"),
    (lambda d: d["concepts"][4].update(inlineSchema="{type: string}"), "$.concepts[4].inlineSchema: not a JSON Schema"),
    (lambda d: d["concepts"][5].update(recommendedVerbs=["https://example.org/verbs/x"]), "is not a verb"),
    (lambda d: d["concepts"][1].update(broader=["https://example.org/x"]),
     "$.concepts[1].broader: 'https://example.org/x' is not a ActivityType"),
    (lambda d: d["templates"][0].update(verb="http://adlnet.gov/expapi/verbs/launched"),
     "$.templates[0].verb: 'http://adlnet.gov/expapi/verbs/launched' is not a known verb"),
    (lambda d: d["templates"][0].update(objectActivityType="https://example.org/types/x"),
     "is not a known activity type"),
    (lambda d: d["templates"][0].update(contextParentActivityType=[f"{IRI}/verbs/self-assessed"]),
     "$.templates[0].contextParentActivityType"),
    (lambda d: d["templates"][0].update(objectStatementRefTemplate=[T + "passed"]), "exclude each other"),
    (lambda d: d["templates"][0].update(contextStatementRefTemplate=[T + "nope"]), "is not a template of this profile"),
    (lambda d: d["templates"][0].update(type="Template"), "$.templates[0].type: expected 'StatementTemplate'"),
    (lambda d: d["templates"][0].update(inScheme="https://example.org/v1"), "$.templates[0].inScheme"),
    (lambda d: d["templates"][0]["rules"][0].pop("location"), "$.templates[0].rules[0]: location is required"),
    (lambda d: d["templates"][0]["rules"][0].pop("presence"), "needs at least one of presence, any, all, none"),
    (lambda d: d["templates"][0]["rules"][0].update(presence="required"),
     "'required' is not included, excluded or recommended"),
    (lambda d: d["templates"][0]["rules"][0].update(any="x"), "$.templates[0].rules[0].any: expected an array"),
    (lambda d: d["templates"][0]["rules"][0].update(location="$.result[?(@.x)]"), "filter and script expressions"),
    (lambda d: d["templates"][0]["rules"][0].update(selector="$..id"), "rules[0].selector: recursive descent"),
    (lambda d: d["templates"][0]["rules"][0].update(location=f"$.result.extensions['{IRI}/extensions/stage']"),
     "is a ContextExtension, so it cannot be used in result.extensions"),
    (lambda d: d["templates"][0]["rules"][0].update(location="$.context.extensions['https://example.org/x']"),
     "is not a concept of the profile nor a well-known IRI"),
    (lambda d: d["patterns"][1].update(alternates=[T + "resumed", T + "suspended"]), "needs exactly one of"),
    (lambda d: d["patterns"][0].pop("oneOrMore"), "needs exactly one of sequence"),
    (lambda d: d["patterns"][1].update(sequence=[T + "initialized", T + "nothing"]),
     f"'{T}nothing' is not a template or pattern"),
    (lambda d: d["patterns"][4]["alternates"].append(f"{IRI}/profile/patterns/maybe-resumed"),
     "optional or zeroOrMore pattern, not allowed in alternates"),
    (lambda d: d["patterns"][4].update(alternates=[T + "passed"]),
     "$.patterns[4].alternates: needs an array of at least two"),
    (lambda d: d["patterns"][2].update(optional=[T + "resumed"]), "expected a single template or pattern id"),
    (lambda d: d["patterns"][0].pop("prefLabel"), "a primary pattern needs prefLabel and definition"),
    (lambda d: d["patterns"][3].update(zeroOrMore=f"{IRI}/profile/patterns/session"), "the pattern contains itself"),
    (lambda d: d["patterns"][4]["alternates"].remove(T + "completed"),
     f"template {T}completed is in no primary pattern"),
    (lambda d: d.update(extra="x"), "$: unknown property 'extra'"),
    (lambda d: d["concepts"].append("a verb"), "$.concepts[13]: expected an object"),
    (lambda d: d["concepts"].append({"id": f"{IRI}/state", "type": "StateResource", "inScheme": V,
                                     "prefLabel": {"en-GB": "state"}, "definition": {"en-GB": "State."}}),
     "$.concepts[13]: contentType is required"),
    (lambda d: d["concepts"].append({"id": f"{IRI}/activities/x", "type": "Activity", "inScheme": V}),
     "$.concepts[13]: activityDefinition is required"),
    (lambda d: d["concepts"][4].update(recommendedActivityTypes=[f"{IRI}/activity-types/key-area"]),
     "$.concepts[4]: unknown property 'recommendedActivityTypes'"),
    (lambda d: d["patterns"][2].update(type="StatementTemplate"), "$.patterns[2].type: expected 'Pattern'"),
])
def test_check_profile_finds_the_fault(change, expected):
    problems = broken(change)
    assert any(expected in problem for problem in problems), problems


def test_properties_outside_the_spec_are_allowed_as_iris():
    assert broken(lambda d: d.update({"https://example.org/terms/note": "x", "ex:note": "y"})) == []


def test_check_profile_collects_every_problem_before_returning():
    def many(doc):
        doc.pop("author")
        doc["concepts"][0].pop("prefLabel")
        doc["templates"][0]["rules"][0].update(presence="maybe")

    assert len(broken(many)) == 3


def test_well_formed_resources_and_activities_pass():
    def add(doc):
        doc["concepts"] += [
            {"id": f"{IRI}/state", "type": "StateResource", "inScheme": V, "prefLabel": {"en-GB": "state"},
             "definition": {"en-GB": "State."}, "contentType": "application/json"},
            {"id": f"{IRI}/activities/x", "type": "Activity", "inScheme": V, "activityDefinition": {
                "@context": ACTIVITY_CONTEXT, "type": f"{IRI}/activity-types/key-area", "name": {"en-GB": "x"}}}]

    assert broken(add) == []


def test_a_primary_sequence_of_one_template_is_allowed():
    def single(doc):
        doc["patterns"].append({"id": f"{IRI}/profile/patterns/solo", "type": "Pattern", "primary": True,
                                "prefLabel": {"en-GB": "solo"}, "definition": {"en-GB": "One statement."},
                                "sequence": [T + "resumed"]})

    assert broken(single) == []
