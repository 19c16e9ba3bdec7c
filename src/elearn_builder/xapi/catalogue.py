"""The statement catalogue for analysts, generated from the profile: ``python -m elearn_builder.xapi.catalogue``."""
from __future__ import annotations

from types import MappingProxyType

import json
import sys
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from elearn_builder.xapi import iris
from elearn_builder.xapi.profile import Vocabulary, load_profile
from elearn_builder.xapi.template_rules import matches, normalise

START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
STAGE = "social-worker"
SCALE = ("New to this", "Developing", "Competent", "Confident", "Able to teach and lead others")
EXPECTED = MappingProxyType({"reflective-practice": 3, "supervision-skills": 2, "principles-policies-procedures": 3,
                             "pcf": 3})
SCORES = MappingProxyType({"reflective-practice": 2.4, "supervision-skills": 2.5, "principles-policies-procedures": 3.2,
                           "pcf": 2.0})


class _Session:
    """Builds the example statements of one registration, numbered and a few minutes apart."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab, self.statements = vocab, []
        self.programme = SimpleNamespace(iri=vocab.profile_id.rsplit("/", 1)[0])
        self.registration = self.uuid("registration")
        self.session = self.uuid("session-1")

    def uuid(self, name: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.programme.iri}/examples/{name}"))

    def activity(self, activity_id: str, kind: str, name: str, **definition) -> dict:
        return {"objectType": "Activity", "id": activity_id,
                "definition": {"type": self.vocab.activity_type(kind), "name": {"en-GB": name}, **definition}}

    def course(self) -> dict:
        name = "Reflective Supervision: Social worker"
        return self.activity(iris.stage_course(self.programme, STAGE), "course", name)

    def key_area(self, area: str) -> dict:
        return self.activity(iris.key_area(self.programme, area), "key-area", area)

    def add(self, verb: str, obj: dict, minutes: float, result: dict | None = None, parent: dict | None = None,
            other: list | None = None, **extensions) -> None:
        activities = {"category": [self.vocab.category()]}
        if obj["definition"]["type"] != self.vocab.activity_type("course"):
            activities["grouping"] = [self.course()]
        if parent:
            activities["parent"] = [parent]
        if other:
            activities["other"] = other
        context_ext = {"stage": STAGE, "session": self.session, "organisation": "council-a", **extensions}
        statement = {
            "id": self.uuid(f"statement-{len(self.statements) + 1}"),
            "actor": {"objectType": "Agent", "name": "Example Learner",
                      "account": {"homePage": "https://lms.example.org", "name": "learner-0042"}},
            "verb": self.vocab.verb(verb), "object": obj,
            "context": {"registration": self.registration, "language": "en-GB", "contextActivities": activities,
                        "extensions": {self.vocab.extension(k.replace("_", "-")): v for k, v in context_ext.items()}},
            "timestamp": (START + timedelta(minutes=minutes)).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        if result:
            extras = {self.vocab.extension(k): result.pop(k) for k in list(result) if k not in
                      ("response", "success", "completion", "duration", "score")}
            statement["result"] = {**result, **({"extensions": extras} if extras else {})}
        self.statements.append(statement)


def example_statements(vocab: Vocabulary) -> list[dict]:
    """One registration of stage 1 in two sessions, in the order the runtime sends them; each passes its template."""
    s = _Session(vocab)
    course, programme = s.course(), s.programme
    page = lambda page_id, title: s.activity(iris.page(programme, page_id), "lesson", title)  # noqa: E731
    self_assessment = s.activity(iris.self_assessment(programme), "self-assessment",
                                 "Self-assessment: where are you now?")
    assessment = s.activity(iris.assessment(programme, "social-worker-knowledge"), "assessment",
                            "Stage 1 assessment: knowledge and understanding")
    module = s.activity(iris.module(programme, "models"), "module", "Models of supervision and reflection")
    s.add("initialized", course, 0)
    s.add("experienced", page("self-assessment", "Self-assessment"), 0.1, parent=course,
          result={"progress": 0})
    likert = s.activity(iris.statement(programme, "sa-rp-after-events"), "self-assessment-statement",
                        "sa-rp-after-events", interactionType="likert",
                        description={"en-GB": "I make time after a difficult visit or meeting to think about what "
                                              "happened and why."},
                        scale=[{"id": str(n), "description": {"en-GB": label}} for n, label in enumerate(SCALE, 1)])
    s.add("answered", likert, 9, result={"response": "2"}, parent=self_assessment,
          other=[s.key_area("reflective-practice")], key_area="reflective-practice", pcf_domains=[6], attempt=1)
    gaps = {area: round(max(0, EXPECTED[area] - score), 1) for area, score in SCORES.items()}
    s.add("self-assessed", self_assessment, 9.1, parent=course, other=[s.key_area(a) for a in EXPECTED], attempt=1,
          result={"completion": True, "duration": "PT9M", "scores": dict(SCORES), "expected-levels": dict(EXPECTED),
                  "gaps": gaps})
    s.add("experienced", page("models-1", "Kolb's experiential learning cycle"), 12, parent=module,
          result={"progress": 8}, pcf_domains=[5, 6, 9])
    s.add("suspended", course, 20, result={"duration": "PT20M", "progress": 8})
    s.add("terminated", course, 20.1, result={"duration": "PT20M6S", "progress": 8})
    s.session = s.uuid("session-2")
    s.add("initialized", course, 1440)
    s.add("resumed", course, 1440.1)
    s.add("experienced", page("assessment", "Knowledge check"), 1441, parent=course, result={"progress": 96})
    question = s.activity(
        iris.question(programme, "sw-kolb-order"), "interaction", "sw-kolb-order", interactionType="choice",
        description={"en-GB": "In Kolb's experiential learning cycle, which stage comes straight after reflective "
                              "observation?"},
        choices=[{"id": cid, "description": {"en-GB": text}} for cid, text in (
            ("experience", "Concrete experience"), ("conceptualisation", "Abstract conceptualisation"),
            ("experimentation", "Active experimentation"), ("evaluation", "Evaluation"))],
        correctResponsesPattern=["conceptualisation"])
    for attempt, (response, minutes) in enumerate((("evaluation", 1450), ("conceptualisation", 1465)), 1):
        s.add("answered", question, minutes, result={"response": response, "success": response != "evaluation"},
              parent=assessment, other=[s.key_area("reflective-practice")], key_area="reflective-practice",
              pcf_domains=[6], bank="reflection", attempt=attempt)
        verb, score = ("failed", 58) if attempt == 1 else ("passed", 83)
        s.add(verb, assessment, minutes + 0.1, attempt=attempt, result={
            "score": {"scaled": score / 100, "raw": score, "min": 0, "max": 100}, "success": verb == "passed",
            "duration": "PT9M" if attempt == 1 else "PT6M"})
    s.add("completed", course, 1465.2, result={"completion": True, "duration": "PT25M12S"})
    s.add("experienced", page("cpd-record", "Your CPD record"), 1466, parent=course, result={"progress": 100})
    s.add("suspended", course, 1470, result={"duration": "PT30M", "progress": 100})
    s.add("terminated", course, 1470.1, result={"duration": "PT30M6S", "progress": 100})
    return s.statements


def _code(value) -> str:
    return "`" + (value if isinstance(value, str) else json.dumps(value)) + "`"


def _rule_text(rule: dict) -> str:
    text = _code(rule["location"]) + (f", each {_code(rule['selector'])}" if "selector" in rule else "")
    for key, words in (("all", "only"), ("any", "including"), ("none", "never")):
        if key in rule:
            text += f", {words} " + " or ".join(_code(v) for v in rule[key])
    note = rule.get("scopeNote", {}).get("en-GB")
    return text + (f": {note}" if note else "")


def _common_rules(templates: list[dict]) -> list[dict]:
    first = templates[0].get("rules", [])
    return [rule for rule in first if all(rule in t.get("rules", []) for t in templates)]


def _term_text(vocab: Vocabulary, iri: str) -> str:
    term = vocab.by_id.get(iri)
    return f"{term.label} ({_code(iri)})" if term else _code(iri)


def _template(vocab: Vocabulary, template: dict, common: list[dict], example: dict | None) -> list[str]:
    lines = [f"### {template['prefLabel']['en-GB']}", "", template["definition"]["en-GB"], "",
             f"- Template: {_code(template['id'])}"]
    if "verb" in template:
        lines.append(f"- Verb: {_term_text(vocab, template['verb'])}")
    lines.append("- Object type: " + (_term_text(vocab, template["objectActivityType"]) if "objectActivityType" in
                                      template else "see the rule on `$.object.definition.type`"))
    own = [rule for rule in template.get("rules", []) if rule not in common]
    groups = (("Required", lambda r: r.get("presence") == "included"),
              ("Recommended", lambda r: r.get("presence") == "recommended"),
              ("Must not be present", lambda r: r.get("presence") == "excluded"),
              ("Values", lambda r: "presence" not in r))
    for title, keep in groups:
        chosen = [rule for rule in own if keep(rule)]
        if chosen:
            lines += ["", f"{title}, besides what every statement carries:" if title == "Required" else f"{title}:", ""]
            lines += [f"- {_rule_text(rule)}" for rule in chosen]
    extensions = [t for t in vocab.terms("ContextExtension", "ResultExtension")
                  if any(t.id in rule["location"] for rule in own)]
    if extensions:
        lines += ["", "Extensions:", ""]
        lines += [f"- {t.label} ({_code(t.id)}, {t.type}): {t.definition or 'defined by ' + t.source}"
                  for t in extensions]
    if example:
        lines += ["", "Example:", "", "```json", json.dumps(example, indent=2, ensure_ascii=False), "```"]
    return lines + [""]


def _pattern_text(vocab: Vocabulary, pattern: dict) -> str:
    name = lambda ref: (vocab.templates.get(ref) or vocab.patterns[ref])["prefLabel"]["en-GB"]  # noqa: E731
    for kind, words in (("sequence", "in order"), ("alternates", "one of")):
        if kind in pattern:
            return f"{words}: " + ", ".join(f"*{name(ref)}*" for ref in pattern[kind])
    kind = next(k for k in ("optional", "oneOrMore", "zeroOrMore") if k in pattern)
    words = {"optional": "optionally", "oneOrMore": "one or more of", "zeroOrMore": "any number of"}[kind]
    return f"{words} *{name(pattern[kind])}*"


def _used_in(vocab: Vocabulary, iri: str) -> str:
    names = [t["prefLabel"]["en-GB"] for t in vocab.templates.values()
             if iri in (t.get("verb"), t.get("objectActivityType"))
             or iri in json.dumps([r for r in t.get("rules", []) if r.get("presence") != "excluded"])]
    if len(names) == len(vocab.templates):
        return "every statement"
    return ", ".join(names) or "the profile category activity"


def _value(vocab: Vocabulary, iri: str) -> str:
    concept = next((c for c in vocab.doc.get("concepts", []) if c["id"] == iri and "inlineSchema" in c), None)
    if concept is None:
        return "see cmi5"
    schema = {k: v for k, v in json.loads(concept["inlineSchema"]).items() if k not in ("$schema", "description")}
    return _code(json.dumps(schema, separators=(", ", ": ")))


def _vocabulary_tables(vocab: Vocabulary) -> list[str]:
    source = lambda t: "this profile" if t.source == "profile" else t.source  # noqa: E731
    meaning = lambda t: t.definition.replace("|", "\\|") or f"as defined by {t.source}"  # noqa: E731
    lines = []
    for title, kind in (("Verbs", "Verb"), ("Activity types", "ActivityType")):
        lines += [f"### {title}", "", "| key | label | IRI | from | used in | meaning |", "|---|---|---|---|---|---|"]
        lines += [f"| {t.key} | {t.label} | {_code(t.id)} | {source(t)} | {_used_in(vocab, t.id)} | {meaning(t)} |"
                  for t in vocab.terms(kind)]
        lines.append("")
    lines += ["### Extensions", "", "| key | IRI | slot | from | used in | value | meaning |",
              "|---|---|---|---|---|---|---|"]
    for t in vocab.terms("ContextExtension", "ResultExtension"):
        slot = "context" if t.type == "ContextExtension" else "result"
        lines.append(f"| {t.key} | {_code(t.id)} | {slot} | {source(t)} | {_used_in(vocab, t.id)} | "
                     f"{_value(vocab, t.id).replace('|', chr(92) + '|')} | {meaning(t)} |")
    return lines + [""]


def render(doc: dict) -> str:
    """The catalogue as Markdown: how statements are ordered, each template with an example, the vocabulary."""
    vocab = Vocabulary(doc)
    templates = list(vocab.templates.values())
    common, examples = _common_rules(templates), example_statements(vocab)
    sample = SimpleNamespace(iri=vocab.profile_id.rsplit("/", 1)[0])
    ids = (("the stage's course", iris.stage_course(sample, "<stage>")),
           ("its cmi5 AU (publisher id)", iris.stage_au(sample, "<stage>")),
           ("a module", iris.module(sample, "<module>")), ("a page", iris.page(sample, "<page>")),
           ("the self-assessment", iris.self_assessment(sample)),
           ("a self-assessment statement", iris.statement(sample, "<statement>")),
           ("a stage's assessment", iris.assessment(sample, "<assessment>")),
           ("a question", iris.question(sample, "<question>")), ("a key area", iris.key_area(sample, "<area>")))
    lines = ["# xAPI statement catalogue", "",
             "Generated from `xapi_profiles/reflective-supervision.jsonld` by "
             "`python -m elearn_builder.xapi.catalogue > docs/statements.md`. Do not edit it by hand: a test fails "
             "when it no longer matches the profile.", "",
             f"Profile {_code(vocab.profile_id)}, version {_code(vocab.version)}, by {doc['author']['name']}.", "",
             doc["definition"]["en-GB"], "",
             "## What every statement carries", "",
             "Every statement of every package (SCORM 1.2, SCORM 2004, cmi5, xAPI) follows these rules:", ""]
    lines += [f"- {rule.get('presence', 'values')}: {_rule_text(rule)}" for rule in common]
    shared = [t for t in vocab.terms("ContextExtension") if any(t.id in rule["location"] for rule in common)]
    lines += ["", "Their extensions:", ""] + [f"- {t.label} ({_code(t.id)}): {t.definition or 'defined by ' + t.source}"
                                              for t in shared]
    lines += ["", "Activity ids are stable IRIs built from the programme IRI and the source ids:", "",
              "| activity | IRI |", "|---|---|"] + [f"| {what} | {_code(iri)} |" for what, iri in ids]
    lines += ["", "## The order of statements", "",
              "Statements of one registration follow the primary pattern, ordered by timestamp:", ""]
    lines += [f"- **{p['prefLabel']['en-GB']}**{' (primary)' if p.get('primary') else ''}: "
              f"{_pattern_text(vocab, p)}. {p['definition']['en-GB']}" for p in vocab.patterns.values()]
    lines += ["", "## Statements", ""]
    for template in templates:
        example = next((s for s in examples if matches(normalise(s), template)), None)
        lines += _template(vocab, template, common, example)
    lines += ["## Vocabulary", ""] + _vocabulary_tables(vocab)
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    sys.stdout.write(render(load_profile()))


if __name__ == "__main__":
    main()
