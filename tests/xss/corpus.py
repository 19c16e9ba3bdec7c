"""The XSS corpus as a course and as xAPI statements: every payload in every place author or learner text reaches.

``write_course`` copies tests/courses/all-types and puts each payload of payloads.yaml into Markdown
places (a page body, an assessment intro, a case study, a question prompt, an option, both feedbacks,
a self-assessment statement) and plain-text places (page, module, programme, stage, key area,
assessment, bank and self-assessment titles, the publisher and a scale label). ``refused`` payloads
(links and images with a refused URL scheme) go to the Markdown places only when asked, since there
the build must fail with a located error; elsewhere they stay as text.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.reader import parse_yaml

HERE = Path(__file__).resolve().parent
ALL_TYPES = HERE.parent / "courses" / "all-types"
PAYLOADS: list[dict] = yaml.safe_load((HERE / "payloads.yaml").read_text(encoding="utf-8"))
REFUSED = [p for p in PAYLOADS if p.get("refused")]
MARKDOWN_PLACES = ("page body", "assessment intro", "case study", "question prompt", "option", "feedback correct",
                   "feedback incorrect", "self-assessment statement", "written-answer guidance")
TEXT_PLACES = ("page title", "module title", "programme title", "publisher", "stage title", "key area title",
               "assessment title", "bank title", "self-assessment title", "scale label")
BANK_SIZE = 12
EXT = "https://xapi.reflective-supervision.org.uk/extensions/"


@dataclass
class Corpus:
    """Where each payload was put: (payload id, place) pairs, and the source lines of refused ones."""

    placed: list[tuple[str, str]] = field(default_factory=list)
    refused_at: dict[str, set[tuple[str, int]]] = field(default_factory=dict)

    def put(self, payload: dict, place: str) -> str:
        self.placed.append((payload["id"], place))
        return payload["text"]


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=False, sort_keys=False, width=1_000_000)


def _in_markdown(payload: dict, with_refused: bool) -> bool:
    return with_refused or not payload.get("refused")


def write_course(dest: Path, with_refused: bool) -> Corpus:
    """The all-types course with every payload placed; the social-worker stage takes the XSS assessment."""
    shutil.copytree(ALL_TYPES, dest)
    corpus = Corpus()
    cycle = iter(PAYLOADS * 2)
    programme = yaml.safe_load((dest / "programme.yaml").read_text(encoding="utf-8"))
    programme["title"] = corpus.put(next(cycle), "programme title")
    programme["publisher"] = corpus.put(next(cycle), "publisher")
    for area in programme["key_areas"]:
        area["title"] = corpus.put(next(cycle), "key area title")
    for stage in programme["stages"]:
        stage["title"] = corpus.put(next(cycle), "stage title")
    programme["stages"][0]["assessment"] = "assessments/xss.yaml"
    programme["modules"].append("modules/xss.md")
    (dest / "programme.yaml").write_text(_dump(programme), encoding="utf-8")
    write_module(dest, corpus, next(cycle), with_refused)
    write_assessment(dest, corpus, cycle, with_refused)
    write_self_assessment(dest, corpus, cycle, with_refused)
    return corpus


def write_module(dest: Path, corpus: Corpus, title: dict, with_refused: bool) -> None:
    meta = {"id": "xss", "title": corpus.put(title, "module title"), "key_areas": ["pcf"], "duration": "PT5M"}
    lines = ["---", *_dump(meta).splitlines(), "---"]
    for p in PAYLOADS:
        lines += ["", f"# {p['id']} {corpus.put(p, 'page title')}", ""]
        if _in_markdown(p, with_refused):
            lines.append(corpus.put(p, "page body"))
            if p.get("refused"):
                corpus.refused_at.setdefault(p["id"], set()).add(("modules/xss.md", len(lines)))
        else:
            lines.append(f"Payload {p['id']} is in this page's title only.")
    (dest / "modules" / "xss.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_assessment(dest: Path, corpus: Corpus, cycle, with_refused: bool) -> None:
    rel = "assessments/xss.yaml"
    banks, placed = [], []
    for start in range(0, len(PAYLOADS), BANK_SIZE):
        group, intro = PAYLOADS[start:start + BANK_SIZE], PAYLOADS[start]
        bank = {"id": f"bank-{start // BANK_SIZE + 1}", "title": corpus.put(next(cycle), "bank title"),
                "intro": "A case." if not _in_markdown(intro, with_refused) else corpus.put(intro, "case study"),
                "questions": []}
        if _in_markdown(intro, with_refused):
            placed.append((intro, ("banks", len(banks), "intro")))
        for p in group:
            md = _in_markdown(p, with_refused)
            text = p["text"] if md else f"Question about payload {p['id']}"
            question = {"id": f"xss-{p['id']}", "type": "choice", "key_area": "pcf", "prompt": text,
                        "choices": [{"id": "a", "text": text, "correct": True}, {"id": "b", "text": "Not this one"}],
                        "feedback": {"correct": text, "incorrect": text}}
            if md:
                for place in ("question prompt", "option", "feedback correct", "feedback incorrect"):
                    corpus.put(p, place)
                index = len(bank["questions"])
                base = ("banks", len(banks), "questions", index)
                placed += [(p, (*base, "prompt")), (p, (*base, "choices", 0, "text")),
                           (p, (*base, "feedback", "correct")), (p, (*base, "feedback", "incorrect"))]
            bank["questions"].append(question)
        banks.append(bank)
    banks.append({"id": "written", "title": "Written answers", "questions": [
        {"id": "xss-typed", "type": "fill-in", "key_area": "pcf", "prompt": "Type anything.", "accepted": ["ninety"],
         "max_length": 250},
        {"id": "xss-written", "type": "long-fill-in", "key_area": "pcf", "prompt": "Write anything.",
         "max_length": 4000, "guidance": corpus.put(PAYLOADS[1], "written-answer guidance")}]})
    intro = PAYLOADS[0]
    data = {"id": "xss", "title": corpus.put(next(cycle), "assessment title"),
            "intro": corpus.put(intro, "assessment intro"), "pass_mark": 50, "attempts": 0, "feedback": "immediate",
            "banks": banks}
    (dest / rel).write_text(_dump(data), encoding="utf-8")
    _record_refused(dest, rel, corpus, placed)


def write_self_assessment(dest: Path, corpus: Corpus, cycle, with_refused: bool) -> None:
    rel = "self-assessment.yaml"
    data = yaml.safe_load((dest / rel).read_text(encoding="utf-8"))
    data["title"] = corpus.put(next(cycle), "self-assessment title")
    data["scale"][0] = corpus.put(next(cycle), "scale label")
    placed = []
    for p in PAYLOADS:
        if _in_markdown(p, with_refused):
            placed.append((p, ("statements", len(data["statements"]), "text")))
            data["statements"].append({"id": f"sa-{p['id']}", "key_area": "pcf",
                                       "text": corpus.put(p, "self-assessment statement")})
    (dest / rel).write_text(_dump(data), encoding="utf-8")
    _record_refused(dest, rel, corpus, placed)


def _record_refused(dest: Path, rel: str, corpus: Corpus, placed: list) -> None:
    """The line of each refused payload's value, read back with the build's own located YAML parser."""
    root = parse_yaml((dest / rel).read_text(encoding="utf-8"), rel, Diagnostics())
    for payload, path in placed:
        if not payload.get("refused"):
            continue
        node = root
        for key in path[:-1]:
            node = node[key]
        corpus.refused_at.setdefault(payload["id"], set()).add((rel, node.at(path[-1]).line))


# ---- statements for the analyst report ----

def hostile_statements(statements: list[dict]) -> tuple[list[dict], list[tuple[str, str]]]:
    """Generated statements with payloads in what reaches ``report baseline``: stage, organisation (extension
    and account home page), key areas, PCF domains' statements and question ids; and in what does not
    (learner names, activity names, responses). Returns the statements and (payload id, place) pairs."""
    placed: list[tuple[str, str]] = []
    n = len(PAYLOADS)
    learners: dict[str, int] = {}
    stages: dict[str, int] = {}
    areas: dict[str, int] = {}
    out = []
    for s in statements:
        s = json.loads(json.dumps(s))
        actor = s["actor"]
        who = learners.setdefault(actor["account"]["name"], len(learners))
        p = PAYLOADS[who % n]
        actor["name"] = f"Learner {p['text']}"
        actor["account"]["homePage"] = f"https://lms.example.org/{p['text']}"
        ext = s.setdefault("context", {}).setdefault("extensions", {})
        if EXT + "organisation" in ext:
            ext[EXT + "organisation"] = f"Council {p['text']}"
        if EXT + "stage" in ext:
            index = stages.setdefault(ext[EXT + "stage"], len(stages))
            ext[EXT + "stage"] = f"{ext[EXT + 'stage']} {PAYLOADS[(index + 7) % n]['text']}"
        definition = s.get("object", {}).get("definition") or {}
        if definition.get("name"):
            definition["name"] = {"en-GB": PAYLOADS[(who + 3) % n]["text"]}
            placed.append((PAYLOADS[(who + 3) % n]["id"], "activity name"))
        result = s.get("result") or {}
        for key in ("scores", "gaps"):
            table = (result.get("extensions") or {}).get(EXT + key)
            if isinstance(table, dict):
                result["extensions"][EXT + key] = {
                    f"{k} {PAYLOADS[(areas.setdefault(k, len(areas)) + 11) % n]['text']}": v for k, v in table.items()}
        if "success" in result and definition.get("interactionType") == "choice":
            s["object"]["id"] += "#" + PAYLOADS[(who + 5) % n]["text"]
            result["response"] = PAYLOADS[(who + 5) % n]["text"]
            placed.append((PAYLOADS[(who + 5) % n]["id"], "question id and response"))
        out.append(s)
    for i in range(len(learners)):
        placed += [(PAYLOADS[i % n]["id"], "learner name"), (PAYLOADS[i % n]["id"], "organisation")]
    placed += [(PAYLOADS[(i + 7) % n]["id"], "stage") for i in range(len(stages))]
    placed += [(PAYLOADS[(i + 11) % n]["id"], "key area") for i in range(len(areas))]
    return out, placed
