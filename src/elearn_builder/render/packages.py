"""Render every package of a build in memory, in one process or in several forked ones."""
from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Callable

from elearn_builder.diagnostics import ElearnError
from elearn_builder.model import Programme


def read_media(programme: Programme, source: Path) -> dict[str, bytes]:
    return {m.target: (source / m.source).read_bytes() for m in programme.media}


def lrs_settings(options) -> dict:
    """LRS settings baked into the packages: only what was asked for, nothing by default."""
    pairs = (("endpoint", options.lrs_endpoint), ("tokenUrl", options.lrs_token_url), ("auth", options.embed_lrs_auth),
             ("origins", list(options.lrs_origins)))
    return {key: value for key, value in pairs if value}


def render_all(programme: Programme, stages, formats: list, options, schema_dir: Path | None,
               vocabulary=None, tick: Callable[[int, str], None] = lambda done, what: None,
               store=None) -> tuple[dict[str, dict[str, bytes]], dict[str, float]]:
    """Every package in memory, {zip name: {path: bytes}}, and the seconds each took to render.

    With ``jobs`` above 1 the packages are rendered by that many forked processes (they inherit the
    loaded course); the result is the same either way.
    """
    from elearn_builder.render.stage import load_strings, static_files

    strings = load_strings(programme.language)
    media = read_media(programme, options.source)
    if options.max_image_width:
        from elearn_builder.render.images import shrink

        media = shrink(media, options.max_image_width)
    jobs = [(stage, standard) for standard in formats for stage in stages]
    _RENDER.update(programme=programme, options=options, schema_dir=schema_dir, vocabulary=vocabulary,
                   strings=strings, media=media, store=store, env=template_environment(options.templates, store),
                   jobs=jobs, pages={}, static=static_files())
    packages, seconds = {}, {}
    try:
        workers = render_workers(options, len(jobs))
        if workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                done = pool.map(render_one, range(len(jobs)), chunksize=max(1, len(jobs) // (2 * workers)))
                for name, files, took in done:
                    packages[name], seconds[name] = files, took
                    tick(len(packages), f"rendered {name}")
        else:
            for index in range(len(jobs)):
                name, files, took = render_one(index)
                packages[name], seconds[name] = files, took
                tick(len(packages), f"rendered {name}")
    finally:
        _RENDER.pop("env").globals["fragment"].fragments.end()
        _RENDER.clear()
    return packages, seconds


_RENDER: dict = {}
"""What ``render_one`` needs, set by ``render_all`` (and inherited by forked workers)."""

_TEMPLATES: dict = {}
"""The last build's Jinja environment (``env``) and the hash of the sources it loads from (``key``)."""


def template_sources(author: Path | None) -> str | None:
    """A hash of every file the templates can come from (the author's folder, when it is one, and the
    theme's), or None when one cannot be read."""
    from elearn_builder.render.stage import THEME

    roots = ([Path(author)] if author is not None and Path(author).is_dir() else []) + [Path(str(THEME / "templates"))]
    hasher = hashlib.sha256()
    try:
        for root in roots:
            hasher.update(f"\0{root.resolve()}\0".encode("utf-8", "surrogateescape"))
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                hasher.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0")
                hasher.update(hashlib.sha256(path.read_bytes()).digest())
    except OSError:
        return None
    return hasher.hexdigest()


def template_environment(author: Path | None, store=None):
    """The Jinja environment for the author's templates over the theme.

    A long-lived process (``elearn preview``) builds again and again: while no template source
    changed, the environment, with every template it compiled and every fragment it remembers
    (``fragments.py``), is the last build's. The built-in theme's compiled templates come from the
    tool's own cache (``toolcache``, in the user's cache folder); the project's build cache holds no
    executable code (a planted ``.elearn-cache`` must not run anything).
    """
    from elearn_builder.render.stage import THEME, environment
    from elearn_builder.cache.templates import bytecode_cache

    key = template_sources(author)
    env = _TEMPLATES.get("env") if key is not None and _TEMPLATES.get("key") == key else None
    if env is None:
        env = environment(author)
        env.auto_reload = False  # the sources are checked above, once per build: no stat per include
        env.globals["fragment"].fragments.load(key)
        _TEMPLATES.clear()
        if key is not None:
            _TEMPLATES.update(key=key, env=env)
    # compiled templates are code: kept only in the user's own tool cache, never in the project's build cache
    env.bytecode_cache = bytecode_cache(env, Path(str(THEME / "templates")))
    env.globals["fragment"].fragments.begin(store, reuse=store is not None)
    return env


def render_workers(options, packages: int) -> int:
    """Processes to render with: ``options.jobs``, never more than there are packages."""
    return max(1, min(options.jobs, packages))


def render_one(index: int) -> tuple[str, dict[str, bytes], float]:
    """Render the ``index``-th (stage, format) of the build in progress: (zip name, files, seconds)."""
    from elearn_builder.build import package_name
    from elearn_builder.standards.controlfiles import ControlFileError, control_files
    from elearn_builder.render.stage import TemplateError, render_page, render_stage
    from elearn_builder.render.runtime_xapi import runtime_xapi

    began = time.perf_counter()
    r = _RENDER
    programme, options = r["programme"], r["options"]
    stage, standard = r["jobs"][index]
    name = package_name(programme, stage.id, standard.name)
    try:
        if stage.id not in r["pages"]:  # index.html is the same in every format: rendered once per stage
            xapi = runtime_xapi(programme, stage, r["vocabulary"], lrs_settings(options))
            r["pages"][stage.id] = render_page(r["env"], programme, stage, r["strings"], xapi)
        files = render_stage(r["env"], programme, stage, standard.name, standard.adapter, r["strings"], r["media"],
                             page=r["pages"][stage.id], static=r["static"])
    except TemplateError as exc:
        raise ElearnError(str(exc)) from None
    descriptors = standard.manifest(programme, stage, sorted(files))
    files.update(descriptors)
    if r["schema_dir"] is not None:
        for manifest in descriptors.values():
            try:
                files.update(control_files(manifest, r["schema_dir"], standard.schemas.folder))
            except ControlFileError as exc:
                raise ElearnError(str(exc)) from None
    return name, files, time.perf_counter() - began
