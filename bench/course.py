"""The benchmark's courses: the bundled programme at 1x, and k times its modules and questions, same shape."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

ID_LINE = re.compile(r"^id:\s*(\S+)\s*$", re.M)
TYPED = ("fill-in", "long-fill-in")
"""Questions not copied: a copy of a long written answer could be drawn with it and overflow SCORM 1.2's budget."""


def scaled(source: Path, target: Path, k: int) -> Path:
    """Copy ``source`` to ``target`` with every module k times and every assessment bank's questions k times.

    Banks keep drawing as many questions per attempt as before (a bank that showed all of them draws
    its original count) and typed-answer questions are not copied, so the saved state per attempt,
    and so every format's budget, stays the same.
    """
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    if k == 1:
        return target
    programme_path = target / "programme.yaml"
    programme = yaml.safe_load(programme_path.read_text(encoding="utf-8"))
    modules = []
    for rel in programme["modules"]:
        modules.append(rel)
        text = (target / rel).read_text(encoding="utf-8")
        module_id = ID_LINE.search(text).group(1)
        for copy in range(2, k + 1):
            copy_rel = rel.replace(".md", f"-x{copy}.md")
            (target / copy_rel).write_text(ID_LINE.sub(f"id: {module_id}-x{copy}", text, count=1), encoding="utf-8")
            modules.append(copy_rel)
    programme["modules"] = modules
    programme_path.write_text(yaml.safe_dump(programme, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for stage in programme["stages"]:
        path = target / stage["assessment"]
        assessment = yaml.safe_load(path.read_text(encoding="utf-8"))
        for bank in assessment.get("banks", []):
            original = bank["questions"]
            bank["draw"] = bank.get("draw") or len(original)
            chosen = [q for q in original if q.get("type") not in TYPED]
            bank["questions"] = original + [dict(q, id=f"{q['id']}-x{copy}") for copy in range(2, k + 1) for q in chosen]
        path.write_text(yaml.safe_dump(assessment, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


def first_page(course: Path) -> Path:
    """The first module file: the page the "one page changed" runs edit."""
    programme = yaml.safe_load((course / "programme.yaml").read_text(encoding="utf-8"))
    return course / programme["modules"][0]


def edit_page(course: Path, marker: str) -> None:
    """Change one sentence of the first page (a different marker each time, so no run meets an old build)."""
    path = first_page(course)
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\nBench edit [^\n]*\n", "", text)
    front_end = text.index("\n---", 3) + 4
    heading_end = text.index("\n", text.index("\n#", front_end) + 1)
    path.write_text(text[:heading_end] + f"\nBench edit {marker}.\n" + text[heading_end:], encoding="utf-8")
