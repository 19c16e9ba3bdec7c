"""Render every package of a build in memory, in one process or in several forked ones: the render step."""
from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Callable

from elearn_builder.diagnostics import ElearnError
from elearn_builder.model import Programme

LOCAL_REFS = ("//*[local-name()='resource']/@href | //*[local-name()='file']/@href"
              " | //*[local-name()='url']/text() | //*[local-name()='launch']/text()")
Done = Callable[[str, float], None]
"""Called as (zip name, seconds it took) as each package is rendered."""


def package_name(programme: Programme, stage_id: str, fmt: str) -> str:
    return f"{programme.id}-{stage_id}-{fmt}.zip"


def read_media(programme: Programme, source: Path) -> dict[str, bytes]:
    return {m.target: (source / m.source).read_bytes() for m in programme.media}


def lrs_settings(options) -> dict:
    """LRS settings baked into the packages: only what was asked for, nothing by default."""
    pairs = (("endpoint", options.lrs_endpoint), ("tokenUrl", options.lrs_token_url), ("auth", options.embed_lrs_auth),
             ("origins", list(options.lrs_origins)))
    return {key: value for key, value in pairs if value}


def render(course, options, caches=None, store=None, done: Done | None = None,
           reuse: bool = True) -> dict[str, dict[str, bytes]]:
    """Every package of ``course`` (a ``read.Course``) in memory, {zip name: {path: bytes}}, each checked
    (``verify``); ``done(name, seconds)`` is called as each is ready.

    With ``caches`` (a ``cache.memo.Caches``) the Jinja environment, its compiled templates and the fragments
    it remembers are the last build's while no template source changed, and fragments are reused (unless
    not ``reuse``: a build without its cache); with ``store`` (the build cache) fragments outlive the process. With ``options.jobs`` above 1 the packages
    are rendered by that many forked processes (they inherit the job); the result is the same either way.
    """
    from elearn_builder.render.stage import load_strings, static_files

    programme = course.programme
    media = read_media(programme, options.source)
    if options.max_image_width:
        from elearn_builder.render.images import shrink

        media = shrink(media, options.max_image_width)
    env = template_environment(options.templates, caches, store, reuse)
    job = RenderJob(programme, options, course.schema_dir, course.vocabulary, load_strings(programme.language),
                    media, env, [(stage, standard) for standard in course.formats for stage in course.stages],
                    static_files())
    packages = {}
    try:
        workers = render_workers(options, len(job.jobs))
        results = forked(job, workers) if workers > 1 else map(job.render_one, range(len(job.jobs)))
        for name, files, took in results:
            verify(name, files)
            packages[name] = files
            if done is not None:
                done(name, took)
    finally:
        env.globals["fragment"].fragments.end()
    return packages


class RenderJob:
    """What rendering one package needs: the course, the options and what every package shares."""

    def __init__(self, programme, options, schema_dir, vocabulary, strings, media, env, jobs, static):
        self.programme, self.options, self.schema_dir, self.vocabulary = programme, options, schema_dir, vocabulary
        self.strings, self.media, self.env, self.jobs, self.static = strings, media, env, jobs, static
        self.pages: dict[str, str] = {}
        """index.html by stage: the same in every format, rendered once per stage."""

    def render_one(self, index: int) -> tuple[str, dict[str, bytes], float]:
        """Render the ``index``-th (stage, format): (zip name, files, seconds)."""
        from elearn_builder.standards.controlfiles import ControlFileError, control_files
        from elearn_builder.render.stage import TemplateError, render_page, render_stage
        from elearn_builder.render.runtime_xapi import runtime_xapi

        began = time.perf_counter()
        programme = self.programme
        stage, standard = self.jobs[index]
        name = package_name(programme, stage.id, standard.name)
        try:
            if stage.id not in self.pages:
                xapi = runtime_xapi(programme, stage, self.vocabulary, lrs_settings(self.options))
                self.pages[stage.id] = render_page(self.env, programme, stage, self.strings, xapi)
            files = render_stage(self.env, programme, stage, standard.name, standard.adapter, self.strings,
                                 self.media, page=self.pages[stage.id], static=self.static)
        except TemplateError as exc:
            raise ElearnError(str(exc)) from None
        descriptors = standard.manifest(programme, stage, sorted(files))
        files.update(descriptors)
        if self.schema_dir is not None:
            for manifest in descriptors.values():
                try:
                    files.update(control_files(manifest, self.schema_dir, standard.schemas.folder))
                except ControlFileError as exc:
                    raise ElearnError(str(exc)) from None
        return name, files, time.perf_counter() - began


def forked(job: RenderJob, workers: int):
    """``job.render_one`` for every package, by ``workers`` forked processes (each inherits ``job``; nothing of
    it is pickled), yielding (name, files, seconds) as they come; a worker's error is raised here."""
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")
    running = {}
    for worker in range(workers):
        mine, theirs = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(job, range(worker, len(job.jobs), workers), theirs), daemon=True)
        process.start()
        theirs.close()
        running[mine] = process
    try:
        while running:
            for conn in wait(list(running)):
                try:
                    kind, value = conn.recv()
                except EOFError:  # the worker is done
                    running.pop(conn).join()
                    conn.close()
                    continue
                if kind == "error":
                    raise value
                yield value
    finally:
        for conn, process in running.items():
            process.kill()
            process.join()
            conn.close()


def _work(job: RenderJob, indices, conn) -> None:
    """A worker: render ``indices`` and send each result, or the first error, down ``conn``."""
    try:
        for index in indices:
            conn.send(("done", job.render_one(index)))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
        try:
            conn.send(("error", exc))
        except Exception:  # noqa: BLE001 - an error that cannot be pickled
            conn.send(("error", ElearnError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def verify(name: str, files: dict[str, bytes]) -> None:
    """Self-check before packaging: one descriptor parses and every file it names is in the package."""
    from lxml import etree

    from elearn_builder.standards import descriptors

    present = [d for d in descriptors() if d in files]
    if len(present) != 1:
        raise ElearnError(f"{name}: internal error: expected one package descriptor, found {present or 'none'}")
    root = etree.fromstring(files[present[0]])
    for ref in root.xpath(LOCAL_REFS):
        if ref.strip() not in files:
            raise ElearnError(f"{name}: internal error: {present[0]} names {ref.strip()!r}, which is not in the package")


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


def template_environment(author: Path | None, caches=None, store=None, reuse: bool = True):
    """The Jinja environment for the author's templates over the theme.

    A long-lived process (``elearn preview``) builds again and again: with ``caches``, while no template
    source changed, the environment, with every template it compiled and every fragment it remembers
    (``fragments.py``), is the last build's (``caches.templates``). The built-in theme's compiled templates
    come from the tool's own cache (``cache.templates``, in the user's cache folder); the project's build
    cache (``store``) holds no executable code (a planted ``.elearn-cache`` must not run anything).
    """
    from elearn_builder.render.stage import THEME, environment
    from elearn_builder.cache.templates import bytecode_cache

    key = template_sources(author)
    memo = caches.templates if caches is not None else None
    env = memo.get(key) if memo is not None and key is not None else None
    if env is None:
        env = environment(author)
        env.auto_reload = False  # the sources are checked above, once per build: no stat per include
        env.globals["fragment"].fragments.load(key)
        if memo is not None and key is not None:
            memo.put(key, env)
    # compiled templates are code: kept only in the user's own tool cache, never in the project's build cache
    env.bytecode_cache = bytecode_cache(env, Path(str(THEME / "templates")))
    env.globals["fragment"].fragments.begin(store, reuse=reuse and caches is not None, salt=memo.salt if memo else "")
    return env


def render_workers(options, packages: int) -> int:
    """Processes to render with: ``options.jobs``, never more than there are packages."""
    return max(1, min(options.jobs, packages))
