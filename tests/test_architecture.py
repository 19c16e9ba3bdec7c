"""The architecture, checked: no import cycles between the package's modules, no module-level mutable state.

Both walk every module of ``src/elearn_builder``. The import graph is read from the source (AST), with
the imports inside functions too (a cycle hidden in a function is still a cycle) and without those
under ``if TYPE_CHECKING:`` (never run). The globals are read from the imported modules: anything a
module holds that could change after import (a dict, a list, a set, an object of a class that is not
frozen ...) is state shared by every build of the process, which the design forbids: a cache is an
object passed in.
"""
from __future__ import annotations

import __future__
import ast
import dataclasses
import datetime
import decimal
import enum
import functools
import importlib
import re
import types
import typing
from pathlib import Path, PurePath

import click
import pytest
from lxml import etree

import elearn_builder

PACKAGE = "elearn_builder"
ROOT = Path(elearn_builder.__file__).resolve().parent


def module_name(path: Path, root: Path = ROOT, package: str = PACKAGE) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def modules(root: Path = ROOT, package: str = PACKAGE) -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    return {module_name(p, root, package): p for p in sorted(root.rglob("*.py")) if "__pycache__" not in p.parts}


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that module ``name`` imports, wherever the import statement stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def target(dotted: str) -> str | None:
        """``dotted`` or the nearest module above it that is one of the package's."""
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                hit = target(alias.name)
                if hit:
                    found.add(hit)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                # ``from pkg import module`` imports that module; ``from module import name`` the module
                hit = target(f"{source}.{alias.name}") if f"{source}.{alias.name}" in known else target(source)
                if hit:
                    found.add(hit)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(name)
    return found


def graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    found = modules(root, package)
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a closed path of module names) for each strongly connected group of modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def strongconnect(node: str) -> None:  # Tarjan's algorithm (recursion depth: at most the module count)
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                strongconnect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            strongconnect(node)
    return [closed_path(group, edges) for group in groups]


def closed_path(group: list[str], edges: dict[str, set[str]]) -> list[str]:
    """A shortest cycle through the first module of ``group`` (breadth-first inside the group)."""
    start, members = group[0], set(group)
    came: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for other in sorted(edges[node] & members):
                if other == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came[path[-1]])
                    return [start, *reversed(path[:-1]), start] if len(path) > 1 else [start, node, start]
                if other not in came:
                    came[other] = node
                    nxt.append(other)
        frontier = nxt
    return group


def test_no_import_cycles():
    found = cycles(graph())
    assert not found, "import cycles (cut the parts so that imports go one way):\n" + "\n".join(
        " -> ".join(c) for c in found)


def test_the_cycle_finder_sees_a_cycle_hidden_in_a_function(tmp_path):
    pkg = tmp_path / "demo"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from demo.sub import b\n")
    (pkg / "sub" / "b.py").write_text("def late():\n    from ..c import thing\n")
    (pkg / "c.py").write_text("import demo.a\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import demo.d\n")
    (pkg / "d.py").write_text("import demo.c\n")
    assert cycles(graph(pkg, "demo")) == [["demo.a", "demo.sub.b", "demo.c", "demo.a"]]


# -- module-level mutable state --------------------------------------------------------------------------

IMMUTABLE = (str, bytes, int, float, complex, bool, type(None), range, frozenset, re.Pattern, PurePath,
             datetime.date, datetime.time, datetime.timedelta, datetime.tzinfo, decimal.Decimal,
             type, types.ModuleType, types.BuiltinFunctionType, types.MethodWrapperType, enum.Enum, type(Ellipsis),
             __future__._Feature)
"""Values that cannot change (the contents of a frozenset are hashable, so immutable enough)."""
CONSTANT_OBJECTS = (click.Command, etree.XPath)
"""Objects that are not immutable but are built once at import and never changed: the command line's
definition (click commands and groups), and compiled XPath expressions (like a compiled regex)."""


def mutable_part(value, depth: int = 0) -> str | None:
    """What makes ``value`` changeable (a type name), or None when it cannot change."""
    if depth > 20:
        return None
    kind = type(value)
    if hasattr(value, "cache_info") and hasattr(value, "cache_clear"):
        return "lru_cache"  # a memo hidden in a function: results kept for the whole process
    if isinstance(value, IMMUTABLE) or isinstance(value, CONSTANT_OBJECTS) or kind is object:  # object(): a sentinel
        return None
    if isinstance(value, types.FunctionType):
        return None
    if isinstance(value, typing.TypeVar) or kind.__module__ in ("typing", "types", "collections.abc") \
            and not isinstance(value, (types.MappingProxyType, types.SimpleNamespace)):
        return None  # a type alias (``Callable[...]``, ``X | None``)
    if isinstance(value, tuple):
        return next((m for m in (mutable_part(v, depth + 1) for v in value) if m), None)
    if isinstance(value, types.MappingProxyType):
        return next((m for m in (mutable_part(v, depth + 1) for v in value.values()) if m), None)
    if dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen:
        return next((m for m in (mutable_part(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
                     if m), None)
    if isinstance(value, functools.partial):
        return mutable_part((value.func, value.args, tuple(value.keywords.values())), depth + 1)
    return kind.__name__


def foreign_function(value, module: types.ModuleType) -> bool:
    """A function imported from outside the package (``urllib.parse.urlsplit`` keeps its own lru_cache): the state
    of its library, not ours."""
    home = getattr(value, "__module__", None)
    function = isinstance(value, (types.FunctionType, types.BuiltinFunctionType)) or hasattr(value, "cache_info")
    return function and isinstance(home, str) and home != module.__name__ and not home.startswith(PACKAGE)


def mutable_globals(module: types.ModuleType) -> list[str]:
    """``name: type`` for each global of ``module`` that can change (the import system's own dunders aside)."""
    return [f"{module.__name__}.{name}: {found}" for name, value in sorted(vars(module).items())
            if not (name.startswith("__") and name.endswith("__")) and not foreign_function(value, module)
            and (found := mutable_part(value))]


def _planted_memo():
    def square(x):
        return x * x

    square.__module__ = "planted"
    return functools.lru_cache(maxsize=4)(square)


def test_no_module_level_mutable_state():
    found = []
    for name in modules():
        if name.endswith("__main__"):
            continue
        found += mutable_globals(importlib.import_module(name))
    assert not found, "module-level mutable state (pass a cache in as an object instead):\n" + "\n".join(found)


@pytest.mark.parametrize("value", [{}, [], set(), bytearray(), (1, [2]), types.SimpleNamespace(),
                                   types.MappingProxyType({"a": []}), _planted_memo(), functools.partial(print, [])])
def test_the_state_finder_sees_mutable_values(value):
    module = types.ModuleType("planted")
    module.STATE = value
    assert mutable_globals(module) == [f"planted.STATE: {mutable_part(value)}"] and mutable_part(value)


def test_the_state_finder_sees_objects_of_unfrozen_classes():
    @dataclasses.dataclass(frozen=True)
    class Frozen:
        items: tuple = ()

    @dataclasses.dataclass
    class Loose:
        items: tuple = ()

    class Plain:
        pass

    module = types.ModuleType("planted")
    module.GOOD, module.LOOSE, module.PLAIN = Frozen((1, "a")), Loose(), Plain()
    module.HIDDEN = Frozen(({},))
    module.CONSTANTS = (1, "a", frozenset({2}), types.MappingProxyType({"k": (3,)}), re.compile("x"), object())
    assert mutable_globals(module) == ["planted.HIDDEN: dict", "planted.LOOSE: Loose", "planted.PLAIN: Plain"]


def rebound_globals(root: Path = ROOT, package: str = PACKAGE) -> list[str]:
    """``module: name`` for each ``global name`` statement: a function that rebinds a module's global (a salt
    worked out once, a counter) keeps state the way a mutable global does, whatever the value's type."""
    found = []
    for name, path in modules(root, package).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Global):
                found += [f"{name}: {n} (line {node.lineno})" for n in node.names]
    return found


def test_no_function_rebinds_a_module_global():
    found = rebound_globals()
    assert not found, "module globals rebound by functions (pass the state in as an object instead):\n" + \
        "\n".join(found)


def test_the_rebinding_finder_sees_a_global_statement(tmp_path):
    pkg = tmp_path / "demo"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "salt.py").write_text("_salt = None\n\n\ndef salt():\n    global _salt\n    _salt = _salt or 'x'\n    return _salt\n")
    assert rebound_globals(pkg, "demo") == ["demo.salt: _salt (line 5)"]
