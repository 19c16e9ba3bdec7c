"""The ``elearn`` command line: thin click commands that call one plain function each."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__

FORMAT_NAMES = ("scorm12", "scorm2004", "cmi5", "xapi")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="elearn")
def main() -> None:
    """Build e-learning packages (SCORM 1.2, SCORM 2004 4th Edition) from Markdown and YAML."""


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
@click.option("--embed-lrs-auth", default="", metavar="VALUE",
              help="Bake an LRS Authorization value into every package. Anyone with the zip can read it: "
                   "prefer credentials from the launch.")
@click.option("--strict", is_flag=True, help="Fail the build on warnings too.")
@click.option("--json", "as_json", is_flag=True, help="Print the result and diagnostics as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
def build(source, output, templates, formats, stages, schemas, profile, lrs_endpoint, lrs_token_url, embed_lrs_auth,
          strict, as_json, quiet) -> None:
    """Build one zip per stage per format from the course folder into the output folder.

    Nothing in the output folder changes unless every package builds.
    """
    from .build import BuildOptions, build as run_build
    from .diagnostics import SourceErrors

    options = BuildOptions(source=source, output=output, templates=templates, formats=tuple(formats),
                           stages=tuple(stages), schemas=schemas, profile=profile, lrs_endpoint=lrs_endpoint,
                           lrs_token_url=lrs_token_url, embed_lrs_auth=embed_lrs_auth, strict=strict)
    try:
        result = run_build(options)
    except SourceErrors as exc:
        if as_json:
            click.echo(json.dumps({"ok": False, "diagnostics": [d.as_dict() for d in exc.diagnostics]}, indent=2))
            sys.exit(exc.exit_code)
        raise
    if as_json:
        click.echo(json.dumps({"ok": True, "seconds": round(result.seconds, 3),
                               "diagnostics": [d.as_dict() for d in result.diagnostics],
                               "packages": [{"path": str(p.path), "stage": p.stage, "format": p.format,
                                             "files": p.files, "bytes": p.size} for p in result.packages]},
                              indent=2))
        return
    for diagnostic in result.diagnostics:
        click.echo(str(diagnostic), err=True)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if not quiet:
        for p in result.packages:
            click.echo(f"  {p.path}  ({p.files} files, {p.size / 1024:.1f} KiB)")
        total = sum(p.size for p in result.packages)
        click.echo(f"built {len(result.packages)} package(s) into {output} "
                   f"({total / 1024:.1f} KiB) in {result.seconds:.2f} s")


from .analystcli import lrs, report, xapi  # commands for LRS analysts (cheap: click only)

for _group in (xapi, lrs, report):
    main.add_command(_group)


if __name__ == "__main__":  # pragma: no cover
    main()
