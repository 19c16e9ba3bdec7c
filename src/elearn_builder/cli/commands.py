"""The ``elearn`` command line: thin click commands that call one plain function each."""
from __future__ import annotations

import sys
from importlib import import_module
from pathlib import Path

import click

from elearn_builder import __version__
from elearn_builder.standards import preview_formats, registry

FORMAT_NAMES = tuple(registry())
"""The formats ``build --format`` takes: the standards' registry."""
PREVIEW_NAMES = preview_formats()
"""The formats ``preview --format`` takes, in the order the preview lists them."""
SCHEMA_FOLDERS = ", ".join(f"{s.schemas.folder}/" for s in registry().values())


class LazyGroup(click.Group):
    """A group whose ``LAZY`` commands are imported only when named (or listed by ``--help``): every
    command imports only what its own path needs."""

    LAZY = {"xapi": "analyst", "lrs": "analyst", "report": "analyst"}
    """Command name -> module (in this package) that defines it under that name."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.LAZY:
            self.add_command(getattr(import_module(f".{self.LAZY[name]}", __package__), name))
        return super().get_command(ctx, name)


def dumps(data) -> str:
    import json

    return json.dumps(data, indent=2)


def _origins(ctx, param, values) -> tuple[str, ...]:
    """``--lrs-allow-origin`` values as browsers write an origin: scheme://host[:port], lower case, no default port."""
    from urllib.parse import urlsplit

    out = []
    for value in values:
        parts = urlsplit(value.strip())
        try:
            port = parts.port
        except ValueError:
            port = -1
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or port == -1 \
                or parts.path not in ("", "/") or parts.query or parts.username or parts.password:
            raise click.BadParameter(f"{value!r} is not an origin: give scheme://host[:port], e.g. "
                                     "https://lrs.example.org")
        scheme = parts.scheme.lower()
        default = {"http": 80, "https": 443}[scheme]
        out.append(f"{scheme}://{parts.hostname.lower()}" + (f":{port}" if port and port != default else ""))
    return tuple(dict.fromkeys(out))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="elearn")
def main() -> None:
    """Build e-learning packages (SCORM 1.2, SCORM 2004 4th Edition, cmi5, xAPI) from Markdown and YAML."""


@main.command()
@click.option("--source", "-s", type=click.Path(path_type=Path), default=Path("content"), show_default=True,
              help="Course folder holding programme.yaml.")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=Path("build"), show_default=True,
              help="Folder the zips are written to.")
@click.option("--templates", "-t", type=click.Path(path_type=Path), default=Path("templates"), show_default=True,
              help="Folder of templates that override the built-in theme (ignored when absent).")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(FORMAT_NAMES),
              help="Format to build; repeat for several. Default: the programme's formats.")
@click.option("--stage", "stages", multiple=True, metavar="ID",
              help="Stage id to build; repeat for several. Default: every stage.")
@click.option("--schemas", type=click.Path(path_type=Path), envvar="ELEARN_SCHEMAS", default=None,
              help="Folder of the official XSDs; the control files each manifest names are put at the "
                   "package root. [env: ELEARN_SCHEMAS]")
@click.option("--profile", type=click.Path(path_type=Path), default=Path("xapi_profiles"), show_default=True,
              help="The programme's xAPI profile, or a folder holding <programme id>.jsonld.")
@click.option("--lrs-endpoint", default="", metavar="URL",
              help="LRS endpoint for launches that name none (credentials still come from the launch).")
@click.option("--lrs-token-url", default="", metavar="URL",
              help="Where packages ask for LRS credentials when a launch gives an endpoint but no auth.")
@click.option("--lrs-allow-origin", "lrs_origins", multiple=True, metavar="ORIGIN", callback=_origins,
              help="An LRS origin (https://lrs.example.org[:port]) a SCORM launch URL may name as its endpoint; "
                   "repeatable. Other endpoints are refused with a status line and get nothing. The "
                   "--lrs-endpoint origin is always allowed.")
@click.option("--embed-lrs-auth", default="", metavar="VALUE",
              help="Bake an LRS Authorization value into every package. Anyone with the zip can read it: "
                   "prefer credentials from the launch.")
@click.option("--strict", is_flag=True, help="Fail the build on warnings too.")
@click.option("--max-image-width", type=click.IntRange(min=1), default=None, metavar="PX",
              help="Resize PNG/JPEG/GIF/WebP media wider than PX and recompress PNGs (needs Pillow: "
                   "pip install 'elearn-builder[images]').")
@click.option("--no-cache", is_flag=True,
              help="Do all the work again, ignoring and not updating the build cache (.elearn-cache beside the output).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes rendering packages (and threads compressing them) at once.")
@click.option("--json", "as_json", is_flag=True, help="Print the result and diagnostics as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
@click.option("--verbose", "-v", is_flag=True, help="Show each step and package with its time, and what the cache reused.")
@click.option("--watch", "-w", is_flag=True,
              help="After the build, keep watching the source folder, the templates and the profile, and rebuild "
                   "in this process on every change (a line per rebuild; a failed rebuild prints its problems and "
                   "leaves the last good zips). Stop with Ctrl-C.")
def build(source, output, templates, formats, stages, schemas, profile, lrs_endpoint, lrs_token_url, lrs_origins,
          embed_lrs_auth, strict, max_image_width, no_cache, jobs, as_json, quiet, verbose, watch) -> None:
    """Build one zip per stage per format from the course folder into the output folder.

    Nothing in the output folder changes unless every package builds. A rebuild reuses unchanged
    work from the build cache; the zips are the same bytes as a clean build's.
    """
    from elearn_builder.build import BuildOptions

    options = BuildOptions(source=source, output=output, templates=templates, formats=tuple(formats),
                           stages=tuple(stages), schemas=schemas, profile=profile, lrs_endpoint=lrs_endpoint,
                           lrs_token_url=lrs_token_url, lrs_origins=lrs_origins, embed_lrs_auth=embed_lrs_auth,
                           strict=strict,
                           max_image_width=max_image_width or 0, cache=not no_cache, jobs=jobs)
    if watch:
        watch_build(options, as_json, quiet, verbose)
        return
    from elearn_builder.diagnostics import SourceErrors
    from elearn_builder.cli.progress import summary

    try:
        result = build_once(options, as_json, quiet, verbose)
    except SourceErrors as exc:
        if as_json:
            click.echo(dumps({"ok": False, "diagnostics": [d.as_dict() for d in exc.diagnostics]}))
            sys.exit(exc.exit_code)
        raise
    if as_json:
        from elearn_builder.cli.progress import as_json as result_json

        click.echo(dumps(result_json(result)))
        return
    show(result, verbose, result.diagnostics, result.notes)
    if not quiet:
        click.echo(summary(result, output))


def build_once(options, as_json: bool, quiet: bool, verbose: bool, caches=None):
    """One build, with progress on stderr unless the output is JSON or quiet; ``caches``: what the process
    keeps between builds (``--watch``)."""
    from elearn_builder.build import build as run_build
    from elearn_builder.cli.progress import Progress

    progress = None if as_json or quiet else Progress(sys.stderr, sys.stderr.isatty(), verbose)
    try:
        return run_build(options, progress, caches)
    finally:
        if progress is not None:
            progress.close()


def show(result, verbose: bool, diagnostics, notes) -> None:
    """A build's diagnostics and notes (stderr) and, with ``verbose``, its packages and steps."""
    from elearn_builder.cli.progress import detail_lines, package_lines

    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if verbose:
        for line in package_lines(result, verbose) + detail_lines(result):
            click.echo(line)


def watch_build(options, as_json: bool, quiet: bool, verbose: bool) -> None:
    """``elearn build --watch``: build, then rebuild on every change until Ctrl-C (exit 0).

    The first build reports as ``elearn build`` does; each rebuild prints one line (with ``--json``, one
    JSON object per build, a line each). Diagnostics and notes are printed when they differ from the last
    build's. A failed build prints its diagnostics; the output folder keeps the last good zips.
    """
    import json

    from elearn_builder.cli.progress import as_json as result_json, failed_line, rebuild_line, summary
    from elearn_builder.preview.watch import watch

    last: dict = {"diagnostics": None, "notes": None}

    def report(changed: str, outcome, seconds: float) -> None:
        if as_json:
            done = ({"ok": False, "error": outcome.message, "diagnostics": [d.as_dict() for d in
                                                                              getattr(outcome, "diagnostics", [])]}
                    if isinstance(outcome, Exception) else result_json(outcome))
            click.echo(json.dumps({**done, "changed": changed}))
        elif isinstance(outcome, Exception):
            for diagnostic in getattr(outcome, "diagnostics", []):
                click.echo(str(diagnostic), err=True)
            click.echo(failed_line(outcome, changed, seconds, options.output), err=True)
        else:
            show(outcome, verbose, () if outcome.diagnostics == last["diagnostics"] else outcome.diagnostics,
                 () if outcome.notes == last["notes"] else outcome.notes)
            last.update(diagnostics=outcome.diagnostics, notes=outcome.notes)
            if not quiet:
                click.echo(rebuild_line(outcome, changed) if changed else summary(outcome, options.output))
        if not changed and not as_json:
            roots = [str(p) for p in (options.source, options.templates, options.profile) if p and p.exists()]
            click.echo(f"watching {', '.join(roots) or options.source} for changes; Ctrl-C to stop", err=True)

    from elearn_builder.cache.memo import Caches

    caches = Caches()  # one for the whole watch: each rebuild reuses what the last one did
    try:
        watch(options, lambda: build_once(options, as_json, quiet, verbose, caches), report)
    except KeyboardInterrupt:
        click.echo("stopped watching", err=True)


# ---- authors: elearn new, elearn preview ----

@main.command()
@click.argument("path", type=click.Path(path_type=Path))
def new(path: Path) -> None:
    """Write a small working course into PATH (a new or empty folder).

    PATH gets content/ (programme, two modules, self-assessment, one assessment per stage, media)
    and templates/, with comments that explain the format. Build it with `elearn build` from PATH.
    """
    from elearn_builder.cli.new import new_course

    files = new_course(path)
    click.echo(f"wrote a new course into {path} ({len(files)} files)")
    click.echo(f"next: cd {path} && elearn build && elearn preview")


@main.command()
@click.option("--source", "-s", type=click.Path(path_type=Path), default=Path("content"), show_default=True,
              help="Course folder holding programme.yaml.")
@click.option("--templates", "-t", type=click.Path(path_type=Path), default=Path("templates"), show_default=True,
              help="Folder of templates that override the built-in theme (ignored when absent).")
@click.option("--profile", type=click.Path(path_type=Path), default=Path("xapi_profiles"), show_default=True,
              help="The programme's xAPI profile, or a folder holding <programme id>.jsonld.")
@click.option("--stage", "stages", multiple=True, metavar="ID", help="Stage id to preview; repeat for several. "
              "Default: every stage.")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(PREVIEW_NAMES),
              help=f"Format to preview; repeat for both. Default: {' and '.join(PREVIEW_NAMES)}.")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1; 0 picks a free one. If the default is taken, a free one is used.")
def preview(source, templates, profile, stages, formats, port) -> None:
    """Build the course in memory and serve it on 127.0.0.1, rebuilding on every change.

    The page shows each stage in an LMS-like frame with what the package reports (status, score,
    bookmark, interactions) and the xAPI statements it sends. Problems in the sources are shown in the
    page. Nothing is written to build/. Stop with Ctrl-C.
    """
    from elearn_builder.preview.session import PREVIEW_FORMATS, PreviewOptions
    from elearn_builder.preview.server import serve

    fallback = click.get_current_context().get_parameter_source("port") == click.core.ParameterSource.DEFAULT
    options = PreviewOptions(source=source, templates=templates, profile=profile, stages=tuple(stages),
                             formats=tuple(formats) or PREVIEW_FORMATS)
    serve(options, port, fallback, echo=lambda line: click.echo(line))


@main.command()
@click.option("--source", "-s", type=click.Path(path_type=Path), default=Path("content"), show_default=True,
              help="Course folder holding programme.yaml (which names the master classes file).")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=Path("guide"), show_default=True,
              help="Folder the guides are written to (kept apart from the packages in build/).")
@click.option("--templates", "-t", type=click.Path(path_type=Path), default=Path("templates"), show_default=True,
              help="Folder of templates that override the built-in theme (facilitator-guide.html.j2).")
@click.option("--stage", "stages", multiple=True, metavar="ID",
              help="Stage id to write a guide for; repeat for several. Default: every stage.")
@click.option("--strict", is_flag=True, help="Fail on warnings in the sources too.")
def guide(source, output, templates, stages, strict) -> None:
    """Write the master classes as a printable facilitator guide per stage.

    One self-contained HTML file per stage, <programme>-<stage>-facilitator-guide.html, laid out for
    A4 (print it, or save it as PDF from a browser). Every guide is written or none is.
    """
    from elearn_builder.render.guide import GuideOptions, build_guides

    written = build_guides(GuideOptions(source=source, output=output, templates=templates, stages=tuple(stages),
                                        strict=strict))
    click.echo(f"wrote {len(written)} facilitator guide(s) into {output}")


@main.command()
@click.argument("packages", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="PACKAGE.zip...")
@click.option("--schemas", type=click.Path(exists=True, file_okay=False, path_type=Path), envvar="ELEARN_SCHEMAS",
              default=None, help=f"Folder of the official XSDs ({SCHEMA_FOLDERS}); the "
                                 "descriptor is validated against them. [env: ELEARN_SCHEMAS]")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON (for CI).")
def validate(packages, schemas, strict, as_json) -> None:
    """Check SCORM 1.2, SCORM 2004, cmi5 or xAPI (tincan.xml) zips, ours or not, before an LMS sees them.

    Unsafe zips are refused before anything is read. Prints `PACKAGE.zip:MEMBER[:line]: severity [code]
    message` lines and a summary per package; exits 1 when any package has an error.
    """
    from elearn_builder.check.validate import as_json as report_json, check_package, failed, render_text

    reports = [check_package(path, schemas) for path in packages]
    if as_json:
        click.echo(dumps(report_json(reports, strict)))
    else:
        for line in render_text(reports):
            click.echo(line)
    sys.exit(1 if failed(reports, strict) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
