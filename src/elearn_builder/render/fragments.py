"""``fragment(name, **locals)`` for templates: an ``{% include %}`` remembered between builds, in a
long-lived process (``elearn preview``) and, with the build cache, from one process to the next.

``{{ fragment("page.html.j2", module=module, page=page) }}`` gives the same text as
``{% include "page.html.j2" %}`` at that place: the template renders with the including
template's context and the locals named. From a process's second build with the same templates
on (or its first, when the build cache holds the last build's fragments and the tool cache what
the templates read), the text is kept under a hash of every value the template can read: the
context variables its source and the templates it includes use (``jinja2.meta``), each as far
down the constant attribute chain it is read through (``page.title``: that string, not the whole
page). Rebuilt after a one-page edit, ``index.html`` renders that page again and takes every
other fragment as it was. A fragment is rendered afresh when a value it reads has no fingerprint
(anything but the model's frozen dataclasses, strings, numbers and containers of them) or when
its templates are named at run time.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json

import jinja2
from jinja2 import meta, nodes
from markupsafe import Markup

_PLAIN = (str, int, float, bool, type(None))


def fingerprintable(value) -> bool:
    """Whether ``repr(value)`` says all a template can read of it (see the module)."""
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, (tuple, list)):
        return all(fingerprintable(v) for v in value)
    if isinstance(value, dict):
        return all(fingerprintable(k) and fingerprintable(v) for k, v in value.items())
    kind = type(value)
    return (dataclasses.is_dataclass(kind) and kind.__module__ == "elearn_builder.model"
            and kind.__dataclass_params__.frozen)


def reads(node: nodes.Node, names: set[str], found: set[tuple]) -> None:
    """Add to ``found`` each read of a variable in ``names`` under ``node``, as its name followed by
    the constant attributes and items it is read through: ``("page", ("attr", "title"))``."""
    steps, probe = [], node
    while True:
        if isinstance(probe, nodes.Getattr):
            steps.append(("attr", probe.attr))
        elif (isinstance(probe, nodes.Getitem) and isinstance(probe.arg, nodes.Const)
              and type(probe.arg.value) in (str, int)):
            steps.append(("item", probe.arg.value))
        else:
            break
        probe = probe.node
    if isinstance(probe, nodes.Name):
        if probe.ctx == "load" and probe.name in names:
            found.add((probe.name, *reversed(steps)))
        return
    for child in probe.iter_child_nodes():
        reads(child, names, found)


def _entries(found) -> tuple[tuple[str, tuple, bytes], ...]:
    """Reads (``reads``) in a fixed order, each with the label that stands for it in a key."""
    return tuple((root, tuple(steps), f"{root}{tuple(steps)!r}\0".encode())
                 for root, *steps in sorted(found, key=repr))


class Fragments:
    """The remembered fragments of one environment, kept for the last two builds."""

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self.builds = 0
        self.uses: dict[str, tuple | None] = {}
        self.sources: str | None = None
        """A hash of every template source (``packages.template_sources``): what ``uses`` is kept under."""
        self.changed = False
        self.reusing = False
        """Whether the build in progress may reuse fragments (only with its build cache on)."""
        self.store = None
        """The build cache of the build in progress, when fragments are kept there (``begin``)."""
        self.salt = ""
        """The package's hash (``cache.builds.package_hash``), given by ``begin``."""
        self.current: dict[bytes, Markup] = {}
        self.previous: dict[bytes, Markup] = {}
        self.digests: dict[int, tuple[object, bytes | None]] = {}
        self.rendered = self.reused = 0

    def begin(self, store=None, reuse: bool = True, salt: str = "") -> None:
        """A build starts: what the last one used stays, what it did not is dropped. With a build cache
        (``store``) and the tool cache on, the fragments of the last build that used the same templates
        come from the build cache, so even a new process's first build reuses them."""
        from elearn_builder.cache.templates import folder

        self.builds += 1
        self.salt = salt
        if self.current:
            self.previous, self.current = self.current, {}
        self.digests.clear()  # values are a build's objects: their ids mean nothing after it
        self.reusing = reuse  # False for a build without its cache (--no-cache): every fragment rendered
        if not self.reusing:
            self.previous = {}
        self.store = store if store is not None and self.sources and folder() is not None else None
        if self.store is not None and not self.previous:
            try:
                kept = json.loads(self.store.blob(self.bundle(), "fragments") or b"{}")
                self.previous = {bytes.fromhex(k): Markup(v) for k, v in kept.items() if isinstance(v, str)}
            except (ValueError, TypeError, AttributeError):
                self.previous = {}

    def bundle(self) -> str:
        """The build cache's name for the fragments of these templates and this tool (the package's hash, which
        covers its code, Python, Jinja and MarkupSafe)."""
        return hashlib.sha256(f"{self.sources}\0{self.salt}".encode()).hexdigest()

    def end(self) -> None:
        """A build is over: keep what the templates read (tool cache) and its fragments (build cache)."""
        self.save()
        if self.store is not None and self.current:
            try:
                self.store.put_blob(self.bundle(), json.dumps({k.hex(): str(v) for k, v in self.current.items()},
                                                              sort_keys=True).encode(), "fragments")
            except (OSError, ValueError):
                pass
        self.store = None

    def load(self, sources: str | None) -> None:
        """Take what the templates read from the tool cache, saved by an earlier process for these sources
        (so that a process's second build, the first to keep fragments, parses no template)."""
        from elearn_builder.cache.templates import load

        self.sources = sources
        data = load("fragments", sources) if sources else None
        try:
            saved = json.loads(data) if data else {}
            self.uses = {name: None if found is None else _entries((root, *(tuple(s) for s in steps))
                                                                  for root, *steps in found)
                         for name, found in saved.items()}
        except (ValueError, TypeError):
            self.uses = {}

    def save(self) -> None:
        """Keep what the templates read for the next process (when something new was found)."""
        from elearn_builder.cache.templates import save

        if self.changed and self.sources:
            data = {name: None if found is None else [[root, *steps] for root, steps, _ in found]
                    for name, found in self.uses.items()}
            save("fragments", self.sources, json.dumps(data, sort_keys=True).encode())
            self.changed = False

    def names(self, name: str) -> tuple[tuple[str, tuple, bytes], ...] | None:
        """What template ``name`` and those it includes, imports or extends read (``reads``), in order,
        as (variable, steps, label), or None when that cannot be told."""
        if name not in self.uses:
            found: set[tuple] = set()
            self.uses[name] = _entries(found) if self._read(name, found, {name}) else None
            self.changed = True
        return self.uses[name]

    def _read(self, name: str, found: set[tuple], seen: set[str]) -> bool:
        """Add what ``name`` reads (and what the templates it names read) to ``found``; False when unknowable."""
        try:
            tree = self.env.parse(self.env.loader.get_source(self.env, name)[0])
        except jinja2.TemplateError:
            return False  # the render itself will report it
        reads(tree, set(meta.find_undeclared_variables(tree)), found)
        for other in meta.find_referenced_templates(tree):
            if other is None:  # named at run time: what it reads is unknown
                return False
            if other not in seen:
                seen.add(other)
                if not self._read(other, found, seen):
                    return False
        return True

    def digest(self, value) -> bytes | None:
        """What stands for ``value`` in a key: its ``repr`` (hashed, once per object in a build, unless it
        is a number or a short string), or None when it is no fingerprint."""
        if isinstance(value, _PLAIN) and not (isinstance(value, str) and len(value) > 256):
            return repr(value).encode("utf-8", "backslashreplace")
        known = self.digests.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        digest = hashlib.sha256(repr(value).encode("utf-8", "backslashreplace")).digest() \
            if fingerprintable(value) else None
        self.digests[id(value)] = (value, digest)
        return digest

    def value(self, root, steps) -> object:
        """The value read through ``steps`` from ``root``, or the last one on the way that has a
        fingerprint (it determines the rest: a method of a string, an attribute that is not there)."""
        for kind, step in steps:
            found = self.env.getattr(root, step) if kind == "attr" else self.env.getitem(root, step)
            if not fingerprintable(found):
                break
            root = found
        return root

    def key(self, name: str, values: dict) -> bytes | None:
        """A hash of the values ``name`` reads, or None when one of them has no fingerprint."""
        paths = self.names(name)
        if paths is None:
            return None
        hasher = hashlib.sha256(f"{name}\0".encode())
        helpers = self.env.globals
        for root, steps, label in paths:
            if root not in values:
                continue  # a local of an including template: it follows from the values below
            if root in helpers and values[root] is helpers[root]:
                continue  # one of Jinja's helpers (range, namespace, ...), or fragment itself
            digest = self.digest(self.value(values[root], steps))
            if digest is None:
                return None
            hasher.update(label)
            hasher.update(b"%d\0" % len(digest))
            hasher.update(digest)
        return hasher.digest()

    def render(self, context: jinja2.runtime.Context, name: str, local: dict) -> Markup:
        values = {**context.get_all(), **local}
        # a process's first build has nothing to reuse, unless the build cache keeps fragments
        key = self.key(name, values) if self.reusing and (self.builds > 1 or self.store is not None) else None
        if key is not None:
            text = self.current.get(key)
            text = self.previous.get(key) if text is None else text
            if text is not None:
                self.current[key] = text
                self.reused += 1
                return text
        text = Markup(self.env.get_template(name, parent=context.name).render(values))
        self.rendered += 1
        if key is not None:
            self.current[key] = text
        return text


def install(env: jinja2.Environment) -> Fragments:
    """Give ``env``'s templates ``fragment(name, **locals)``; the ``Fragments`` behind it is returned."""
    fragments = Fragments(env)

    @jinja2.pass_context
    def fragment(context, name: str, **local) -> Markup:
        return fragments.render(context, name, local)

    fragment.fragments = fragments
    env.globals["fragment"] = fragment
    return fragments
