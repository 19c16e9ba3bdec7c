"""Fuzzing the sources: every mutated course either builds valid packages or fails with located diagnostics.

Hypothesis mutates the valid courses (tests/courses/minimal, tests/courses/all-types and the bundled
content/): YAML structure and types, encodings, front matter, Markdown, ids, references and sizes.
Each case is built through ``build()`` (one stage, one format) and must either succeed (every zip
valid, its descriptor parsing, passing the build's own ``verify``) or raise ``SourceErrors`` whose
diagnostics are all located (``path:line:col``) with a stable code, with the output folder unchanged.
Any other exception is a crash and fails the test with its traceback. The sources are never written.

Profiles: ``ELEARN_FUZZ_PROFILE`` (or ``HYPOTHESIS_PROFILE``) = ``ci`` (default: at least 500 cases,
derandomized so a failure reproduces) or ``nightly`` (20 times as many, random).
"""
from __future__ import annotations

import copy
import functools
import hashlib
import importlib.util
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

import yaml
from locations import find_schemas
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from lxml import etree

from elearn_builder.build import BuildOptions, build
from elearn_builder.render.packages import verify
from elearn_builder.diagnostics import SourceErrors
from elearn_builder import standards

REPO = Path(__file__).resolve().parents[2]
COURSES = Path(__file__).parents[1] / "courses"
PROFILE_DIR = REPO / "xapi_profiles"
CACHE_DIR = ".elearn-cache"
"""The build cache, kept beside the output folder (never inside it)."""

SCALE = {"ci": 1, "nightly": 20}
for _name, _scale in SCALE.items():
    settings.register_profile(
        f"elearn-fuzz-{_name}", max_examples=100 * _scale, deadline=None, derandomize=_name == "ci",
        database=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
PROFILE = next((p for p in (os.environ.get("ELEARN_FUZZ_PROFILE"), os.environ.get("HYPOTHESIS_PROFILE"))
                if p in SCALE), "ci")


def fuzz(examples: int):
    """Settings for one fuzz test: ``examples`` cases under the ci profile, 20 times as many nightly."""
    return settings(settings.get_profile(f"elearn-fuzz-{PROFILE}"), max_examples=examples * SCALE[PROFILE])


def read_course(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


BASES = {name: read_course(COURSES / name) for name in ("minimal", "all-types")}
CONTENT = read_course(REPO / "content")
CODE_RE = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$")
LINE_RE = re.compile(r"^.+:\d+:\d+: (error|warning) \[[a-z0-9.-]+\] .+", re.DOTALL)


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() or p.is_symlink()}


def _schema_validator():
    """validate.py from the official schema folder, imported once (None when the folder is absent)."""
    folder = find_schemas()
    if folder is None:
        return None
    spec = importlib.util.spec_from_file_location("elearn_fuzz_schema_validate", folder / "validate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCHEMAS = _schema_validator()
KINDS = {"scorm12": "scorm12", "scorm2004": "scorm2004", "cmi5": "cmi5", "xapi": "tincan"}


def check_package(path: Path, fmt: str) -> None:
    """A built zip: readable, sorted safe entry names, one descriptor that parses, passing ``verify``;
    its manifest valid against the official XSDs when ``ELEARN_SCHEMAS`` (or ../shared/schemas) has them."""
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        files = {name: zf.read(name) for name in names}
    assert names == sorted(names)
    for name in names:
        assert not name.startswith("/") and "\\" not in name and ".." not in name.split("/"), name
        assert "./" not in f"/{name}" and "//" not in name, name
    descriptors = [d for d in standards.descriptors() if d in files]
    assert len(descriptors) == 1
    etree.fromstring(files[descriptors[0]])
    verify(path.name, files)
    if SCHEMAS is not None and fmt in KINDS:
        manifest = path.with_suffix(".manifest.xml")
        manifest.write_bytes(files[descriptors[0]])
        try:
            _, errors = SCHEMAS.validate_lxml(KINDS[fmt], str(manifest))
        finally:
            manifest.unlink()
        assert errors == [], errors


def check_diagnostics(exc: SourceErrors, course: Path) -> None:
    assert exc.exit_code == 1
    assert exc.diagnostics, "a failed build names at least one problem"
    assert any(d.severity == "error" for d in exc.diagnostics)
    for d in exc.diagnostics:
        assert d.location.path and d.location.line >= 1 and d.location.col >= 1, d
        assert CODE_RE.match(d.code), d
        assert LINE_RE.match(str(d)), str(d)
        source = course / d.location.path
        if source.is_file():  # a line in the file, or the one just past its end
            lines = source.read_bytes().count(b"\n") + source.read_bytes().count(b"\r") + 2
            assert d.location.line <= lines, (str(d), lines)
    assert "nothing was written" in exc.message


def build_case(files: dict[str, bytes], fmt: str, stage: str) -> str:
    """Write ``files`` as a course, build it, check the outcome; 'built' or 'refused'."""
    with tempfile.TemporaryDirectory() as tmp:
        course, output = Path(tmp) / "course", Path(tmp) / "build"
        for rel, data in files.items():
            target = course / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        output.mkdir()
        (output / "earlier-build.zip").write_bytes(b"an earlier build")
        before_out, before_src = snapshot(output), snapshot(course)
        options = BuildOptions(source=course, output=output, templates=None, formats=(fmt,), stages=(stage,),
                               profile=PROFILE_DIR)
        try:
            result = build(options)
        except SourceErrors as exc:
            check_diagnostics(exc, course)
            assert snapshot(output) == before_out, "a failed build changed the output folder"
            outcome = "refused"
        else:
            assert result.packages and all(p.path.parent == output for p in result.packages)
            assert sorted(os.listdir(output)) == sorted(["earlier-build.zip", *(p.path.name for p in result.packages)])
            for package in result.packages:
                check_package(package.path, package.format)
            outcome = "built"
        assert snapshot(course) == before_src, "the build wrote into the sources"
        beside = set(os.listdir(tmp)) - {"build", "course", CACHE_DIR}
        assert not beside, f"the build wrote beside the output folder: {beside}"
    if currently_in_test_context():
        event(outcome)
    return outcome


# ---------------------------------------------------------------- values and mutations

NASTY_TEXT = st.sampled_from([
    "", " ", "\t", "0", "-1", "1e400", "null", "~", "yes", "no", "on", "true", "&a", "*a", "!!str", "---", "...",
    "#", "# heading", "'", '"', "\\", "{", "[", "}: x", "a: b", "- x", "%TAG", "@x", "`x`", "<script>", "é",
    "日本語", "\u200b", "\u202e", "\U0001f600", "x" * 300, "y" * 5000, "../x", "/etc/passwd", "C:\\x", "a\x00b",
    "\x7f", "\ud7ff", "\ufeff", "line\nbreak", "crlf\r\nx", "lone\rcr",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10 ** 30), max_value=10 ** 30),
    st.sampled_from([10 ** 100, -(10 ** 100), 2 ** 63, 2 ** 31, 0, -1, 255, 256, 4000, 4001, 64000]),
    st.floats(allow_nan=True, allow_infinity=True), NASTY_TEXT, st.text(max_size=40),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(NASTY_TEXT, st.text(max_size=8)), inner, max_size=4)),
    max_leaves=12)


def yaml_paths(node, prefix=()):
    """Every (path, value) in a parsed YAML tree."""
    yield prefix, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from yaml_paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from yaml_paths(value, prefix + (index,))


def split_md(data: bytes) -> tuple[str, str] | None:
    text = data.decode("utf-8")
    if not text.startswith("---\n"):
        return None
    head, sep, body = text[4:].partition("\n---\n")
    return (head, body) if sep else None


LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load_tree(rel: str, data: bytes):
    """The YAML tree of a .yaml file or of a Markdown file's front matter (a fresh copy to mutate)."""
    return copy.deepcopy(_parsed(rel, data))


@functools.lru_cache(maxsize=256)
def _parsed(rel: str, data: bytes):
    if rel.endswith(".md"):
        parts = split_md(data)
        return yaml.load(parts[0], Loader=LOADER) if parts else None
    return yaml.load(data, Loader=LOADER)


def dump_tree(rel: str, original: bytes, tree) -> bytes:
    text = yaml.dump(tree, Dumper=DUMPER, allow_unicode=True, sort_keys=False, width=10 ** 6)
    if rel.endswith(".md"):
        return f"---\n{text}---\n{split_md(original)[1]}".encode("utf-8", "surrogatepass")
    return text.encode("utf-8", "surrogatepass")


def set_at(tree, path, value):
    if not path:
        return value
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return tree


def drop_at(tree, path):
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return tree


def yaml_files(files: dict[str, bytes]) -> list[str]:
    return sorted(rel for rel in files if rel.endswith((".yaml", ".md")))


@st.composite
def structural_mutation(draw, files: dict[str, bytes]) -> dict[str, bytes]:
    """Drop, retype, duplicate or replace one key or item of one YAML tree (or a front matter)."""
    files = dict(files)
    for _ in range(draw(st.integers(1, 3))):
        rel = draw(st.sampled_from(yaml_files(files)))
        try:
            tree = load_tree(rel, files[rel])
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        paths = [p for p, _ in yaml_paths(tree)]
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["retype", "retype", "drop", "duplicate", "nest", "null", "huge"]))
        event(f"structure: {action}")
        if action == "drop" and path:
            tree = drop_at(tree, path)
        elif action == "duplicate" and path and isinstance(path[-1], str):
            text = files[rel].decode("utf-8")
            key = path[-1]
            line = next((ln for ln in text.split("\n") if ln.lstrip().startswith(f"{key}:")), None)
            if line is not None:
                files[rel] = text.replace(line, f"{line}\n{line}", 1).encode()
            continue
        elif action == "nest":
            depth = draw(st.sampled_from([2, 10, 63, 65, 200]))
            tree = set_at(tree, path, _nested(depth))
        elif action == "null":
            tree = set_at(tree, path, None)
        elif action == "huge":
            tree = set_at(tree, path, draw(st.sampled_from([10 ** 100, 1e308, float("inf"), float("nan"),
                                                            "x" * 100_000, list(range(2000))])))
        else:
            tree = set_at(tree, path, draw(VALUES))
        try:
            files[rel] = dump_tree(rel, files[rel], tree)
        except (yaml.YAMLError, TypeError):
            continue
    return files


def _nested(depth: int):
    node: object = "leaf"
    for i in range(depth):
        node = [node] if i % 2 else {"k": node}
    return node


ENCODINGS = ["bom", "utf16", "utf16-bom-be", "latin1", "nul", "crlf", "lone-cr", "tabs", "truncate", "random-bytes",
             "invalid-utf8", "control"]


@st.composite
def encoding_mutation(draw, files: dict[str, bytes]) -> dict[str, bytes]:
    """Change one file's bytes: BOM, UTF-16, latin-1, NUL, line endings, tabs, truncation, noise."""
    files = dict(files)
    rel = draw(st.sampled_from(yaml_files(files)))
    data = files[rel]
    kind = draw(st.sampled_from(ENCODINGS))
    event(f"encoding: {kind}")
    at = draw(st.integers(0, len(data)))
    if kind == "bom":
        data = b"\xef\xbb\xbf" + data
    elif kind == "utf16":
        data = data.decode("utf-8").encode("utf-16")
    elif kind == "utf16-bom-be":
        data = data.decode("utf-8").encode("utf-16-be")
    elif kind == "latin1":
        data = data[:at] + "café ½".encode("latin-1") + data[at:]
    elif kind == "nul":
        data = data[:at] + b"\x00" + data[at:]
    elif kind == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif kind == "lone-cr":
        data = data.replace(b"\n", b"\r")
    elif kind == "tabs":
        data = re.sub(rb"(?m)^(  )+", lambda m: b"\t" * (len(m.group(0)) // 2), data)
    elif kind == "truncate":
        data = data[:at]
    elif kind == "random-bytes":
        data = data[:at] + draw(st.binary(min_size=1, max_size=20)) + data[at:]
    elif kind == "invalid-utf8":
        data = data[:at] + b"\xc3\x28\xa0\xa1\xff" + data[at:]
    else:
        data = data[:at] + draw(st.sampled_from([b"\x1b[31m", b"\x0b", b"\x0c", b"\x7f", b"\xc2\x85", b"\xe2\x80\xa8"])) + data[at:]
    files[rel] = data
    return files


MARKDOWN_SNIPPETS = st.sampled_from([
    "# ", "#", "# \n", "## sub", "###### deep", "#" * 7 + " seven", "# Title #####", "```\n# not a page\n```",
    "```\nunclosed fence", "~~~", "<div>raw <b>html</b></div>", "<script>alert(1)</script>", "<!-- comment",
    "<img src=x onerror=alert(1)>", "[link](javascript:alert(1))", "[l](../../../../etc/passwd)",
    "![](../media/missing.svg)", "![alt](/etc/passwd)", "![alt](../media/diagram.svg)", "![a](C:\\x.png)",
    "![a](http://example.org/x.png)", "![a](%00.png)", "[a](mailto:x@y)", "[x]: ../../secret", "| a | b |\n|---|---|\n| 1 | 2 |",
    "> " * 300 + "quote", "- " * 200 + "list", "*" * 5000, "_" * 5000, "[" * 3000, "x" * 100_000, "\u202e\u200b\u00ad",
    "\U0001f600" * 500, "&amp; &#0; &#xD800; &nosuch;", "!!! note\n    admonition", "!!!", "    code\n", "\t# tab heading",
    "Term\n: definition", "*[HTML]: abbr", "[^1]\n\n[^1]: note", "\x00", "\r", "---\nid: x\n---",
    "".join("  " * i + "- x\n" for i in range(300)), "".join("\t" * i + "1. x\n" for i in range(40)),
])


@st.composite
def markdown_mutation(draw, files: dict[str, bytes]) -> dict[str, bytes]:
    """Insert Markdown (headings, raw HTML, long lines, unicode, references) into a module body or a prompt."""
    files = dict(files)
    modules = sorted(rel for rel in files if rel.endswith(".md"))
    rel = draw(st.sampled_from(modules))
    text = files[rel].decode("utf-8")
    lines = text.split("\n")
    body_start = lines.index("---", 1) + 1
    for _ in range(draw(st.integers(1, 4))):
        snippet = draw(st.one_of(MARKDOWN_SNIPPETS, st.text(max_size=80)))
        in_front_matter = draw(st.integers(0, 9)) == 0
        at = draw(st.integers(1, body_start - 1) if in_front_matter else st.integers(body_start, len(lines)))
        lines.insert(at, snippet)
        event("markdown: in front matter" if in_front_matter else "markdown: in body")
    files[rel] = "\n".join(lines).encode("utf-8", "surrogatepass")
    return files


@st.composite
def front_matter_mutation(draw, files: dict[str, bytes]) -> dict[str, bytes]:
    """Remove, break or leave open a module's front matter."""
    files = dict(files)
    rel = draw(st.sampled_from(sorted(r for r in files if r.endswith(".md"))))
    text = files[rel].decode("utf-8")
    kind = draw(st.sampled_from(["missing", "unterminated", "dots", "empty", "list", "scalar", "broken", "indented",
                                 "twice", "only-dashes"]))
    event(f"front matter: {kind}")
    head, body = split_md(files[rel])
    text = {"missing": body, "unterminated": f"---\n{head}{body}", "dots": f"---\n{head}...\n{body}",
            "empty": f"---\n---\n{body}", "list": f"---\n- a\n- b\n---\n{body}", "scalar": f"---\njust text\n---\n{body}",
            "broken": f"---\n{head}: : [\n---\n{body}", "indented": f" ---\n{head}---\n{body}",
            "twice": f"---\n{head}---\n---\n{head}---\n{body}", "only-dashes": "---"}[kind]
    files[rel] = text.encode("utf-8")
    return files


ODD_IDS = st.sampled_from(["", " ", "A", "a b", "a_b", "-a", "a" * 64, "a" * 65, "é", "a/b", "../a", "a.b", "1", "0x",
                           "sa-rp-1", "sw-q1", "mgr-q1", "one", "two", "social-worker", "manager", "pcf",
                           "reflective-practice", "nine", "seven", "q" * 255, "Q" * 4001, "a\nb", "a\x00b", "<x>"])
REF_KEYS = ("modules", "assessment", "self_assessment", "logo", "key_area", "key_areas")


@st.composite
def id_and_reference_mutation(draw, files: dict[str, bytes]) -> dict[str, bytes]:
    """Set ids to odd or duplicate values, point references elsewhere, or delete a referenced file."""
    files = dict(files)
    kind = draw(st.sampled_from(["id", "id", "reference", "delete-file", "rename-file"]))
    event(f"ids/refs: {kind}")
    if kind in ("delete-file", "rename-file"):
        rel = draw(st.sampled_from(sorted(r for r in files if r != "programme.yaml")))
        data = files.pop(rel)
        if kind == "rename-file":
            files[rel.upper()] = data
        return files
    rel = draw(st.sampled_from(yaml_files(files)))
    try:
        tree = load_tree(rel, files[rel])
    except (yaml.YAMLError, UnicodeDecodeError):
        return files
    wanted = ("id",) if kind == "id" else REF_KEYS
    paths = [p for p, _ in yaml_paths(tree) if p and p[-1] in wanted]
    if not paths:
        return files
    path = draw(st.sampled_from(paths))
    if kind == "id":
        value = draw(ODD_IDS)
    else:
        value = draw(st.sampled_from(["missing.yaml", "../programme.yaml", "/etc/passwd", "modules", ".", "",
                                      "modules/../modules/one.md", "media/diagram.svg", "https://example.org/x.yaml",
                                      "C:\\course\\x.yaml", "a\x00b.md", "x" * 300, "nosuch-area", ["pcf", "pcf"]]))
    files[rel] = dump_tree(rel, files[rel], set_at(tree, path, value))
    return files


@st.composite
def size_mutation(draw, files: dict[str, bytes]) -> dict[str, bytes]:
    """Many copies of a module page, question or statement, or one very long value."""
    files = dict(files)
    kind = draw(st.sampled_from(["pages", "questions", "long-title", "long-prompt"]))
    count = draw(st.sampled_from([2, 30, 300]))
    event(f"size: {kind}")
    if kind == "pages":
        rel = draw(st.sampled_from(sorted(r for r in files if r.endswith(".md"))))
        files[rel] = files[rel] + "".join(f"\n# Page {i}\n\nText {i}.\n" for i in range(count)).encode()
        return files
    rel = draw(st.sampled_from(sorted(r for r in files if r.startswith("assessments/"))))
    tree = load_tree(rel, files[rel])
    questions = tree.get("questions") or tree["banks"][0]["questions"]
    if kind == "questions":
        first = questions[0]
        questions.extend({**first, "id": f"{first['id']}-copy{i}"} for i in range(count))
    elif kind == "long-title":
        tree["title"] = "T" * count * 10
    else:
        questions[0]["prompt"] = "word " * count * 100
    files[rel] = dump_tree(rel, files[rel], tree)
    return files


# ---------------------------------------------------------------- the fuzz tests

BASE_NAMES = st.sampled_from(sorted(BASES))
FORMATS = st.sampled_from(["scorm12", "scorm2004"])
STAGES = st.sampled_from(["social-worker", "manager"])


@fuzz(150)
@given(data=st.data(), base=BASE_NAMES, fmt=FORMATS, stage=STAGES)
def test_yaml_structure_and_types(data, base, fmt, stage):
    build_case(data.draw(structural_mutation(BASES[base])), fmt, stage)


@fuzz(110)
@given(data=st.data(), base=BASE_NAMES, fmt=FORMATS, stage=STAGES)
def test_encodings(data, base, fmt, stage):
    build_case(data.draw(encoding_mutation(BASES[base])), fmt, stage)


@fuzz(50)
@given(data=st.data(), base=BASE_NAMES, fmt=FORMATS, stage=STAGES)
def test_front_matter(data, base, fmt, stage):
    build_case(data.draw(front_matter_mutation(BASES[base])), fmt, stage)


@fuzz(100)
@given(data=st.data(), base=BASE_NAMES, fmt=FORMATS, stage=STAGES)
def test_markdown(data, base, fmt, stage):
    build_case(data.draw(markdown_mutation(BASES[base])), fmt, stage)


@fuzz(70)
@given(data=st.data(), base=BASE_NAMES, fmt=FORMATS, stage=STAGES)
def test_ids_and_references(data, base, fmt, stage):
    build_case(data.draw(id_and_reference_mutation(BASES[base])), fmt, stage)


@fuzz(30)
@given(data=st.data(), base=BASE_NAMES, fmt=FORMATS, stage=STAGES)
def test_sizes(data, base, fmt, stage):
    build_case(data.draw(size_mutation(BASES[base])), fmt, stage)


MUTATIONS = [structural_mutation, encoding_mutation, markdown_mutation, id_and_reference_mutation,
             front_matter_mutation]


@fuzz(25)
@given(data=st.data(), fmt=st.sampled_from(["scorm12", "scorm2004", "cmi5", "xapi"]),
       stage=st.sampled_from(["social-worker", "experienced-social-worker", "manager"]))
def test_bundled_content(data, fmt, stage):
    mutation = data.draw(st.sampled_from(MUTATIONS))
    build_case(data.draw(mutation(CONTENT)), fmt, stage)


def test_unmutated_bases_build():
    """The fuzz starts from courses that build: otherwise every case would only test refusal."""
    for files, stage in [(BASES["minimal"], "manager"), (BASES["all-types"], "social-worker"), (CONTENT, "manager")]:
        assert build_case(files, "scorm2004", stage) == "built"
    for fmt in ("scorm12", "cmi5", "xapi"):
        assert build_case(CONTENT, fmt, "social-worker") == "built"


def test_ci_profile_runs_at_least_500_cases():
    """The acceptance budget: every fuzz test runs its max_examples (statistics show none stops early)."""
    fuzz_tests = [f for name, f in globals().items() if name.startswith("test_") and hasattr(f, "hypothesis")]
    total = sum(f._hypothesis_internal_use_settings.max_examples for f in fuzz_tests)
    assert len(fuzz_tests) == 7 and total >= 500 * SCALE[PROFILE]
