"""The commands for LRS analysts: ``xapi generate``, ``xapi check``, ``lrs query`` and ``report baseline``."""
from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import tempfile
from pathlib import Path

import click

KEEP_HELP = ("Write text cells that start with =, +, -, @, a tab or a carriage return as they are (by default they "
             "get a leading ' so that a spreadsheet shows them instead of running them).")


def lrs_options(function):
    """Endpoint and credentials (options or environment; the password is never shown), timeout and retries."""
    @click.option("--endpoint", envvar="ELEARN_LRS_ENDPOINT", default="", metavar="URL",
                  help="The LRS's xAPI endpoint, e.g. https://lrs.example.org/xAPI/. [env: ELEARN_LRS_ENDPOINT]")
    @click.option("--username", envvar="ELEARN_LRS_USERNAME", default="", metavar="NAME",
                  help="Basic auth user (key). [env: ELEARN_LRS_USERNAME]")
    @click.option("--password", envvar="ELEARN_LRS_PASSWORD", default="", metavar="SECRET",
                  help="Basic auth password (secret); prefer the environment. [env: ELEARN_LRS_PASSWORD]")
    @click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
                  help="Seconds to wait for each answer.")
    @click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
                  help="Retries (with back-off) after a 5xx, 429 or connection failure.")
    @click.option("--deadline", type=click.FloatRange(min=0.1), default=3600.0, show_default=True,
                  help="Seconds the whole query may take, every page included (paging also stops after 20 "
                       "empty pages in a row).")
    @functools.wraps(function)
    def wrapper(*args, endpoint, username, password, timeout, retries, deadline, **kwargs):
        def connect(required: bool = True):
            if not endpoint:
                if not required:
                    return None
                raise click.UsageError("no LRS endpoint: give --endpoint or set ELEARN_LRS_ENDPOINT")
            from elearn_builder.xapi.lrs import Connection

            return Connection(endpoint, username, password, timeout=timeout, retries=retries, deadline=deadline)
        return function(*args, connect=connect, **kwargs)
    return wrapper


def query_options(function):
    """The xAPI statement filters."""
    for name, help_text in (("--agent", "Actor: a JSON Agent, a mailto: IRI, or HOMEPAGE|NAME of an account."),
                            ("--verb", "Verb IRI."), ("--activity", "Activity IRI (the object)."),
                            ("--registration", "Registration UUID."),
                            ("--since", "Only statements after this ISO 8601 time."),
                            ("--until", "Only statements at or before this ISO 8601 time.")):
        function = click.option(name, default=None, help=help_text)(function)
    function = click.option("--related-activities", is_flag=True, default=None,
                            help="Match the activity in context too.")(function)
    return click.option("--limit", type=click.IntRange(min=0), default=None,
                        help="Page size asked of the LRS (every page is still read).")(function)


@contextlib.contextmanager
def output_file(output: str):
    """A text file written whole or not at all (a temporary file beside it, renamed at the end; removed when the
    command fails, leaving any earlier file as it was); ``-`` is stdout."""
    if output == "-":
        yield sys.stdout
        return
    target = Path(output)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise click.FileError(output, exc.strerror) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def agent_filter(value: str | None) -> dict | None:
    if not value:
        return None
    if value.lstrip().startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            raise click.BadParameter("not a JSON Agent", param_hint="--agent") from None
    if value.startswith("mailto:"):
        return {"mbox": value}
    if "|" in value:
        home, name = value.split("|", 1)
        return {"account": {"homePage": home, "name": name}}
    raise click.BadParameter("give a JSON Agent, a mailto: IRI or HOMEPAGE|NAME", param_hint="--agent")


def _statements(source: str | None, from_lrs: bool, connect, filters: dict):
    if from_lrs:
        from elearn_builder.xapi.lrs import query

        filters["agent"] = agent_filter(filters.get("agent"))
        return query(connect(), **filters)
    if not source:
        raise click.UsageError("give a statements file (JSON lines, - for stdin) or --from-lrs")
    from elearn_builder.xapi.jsonlines import read_statements

    return read_statements(source)


@click.group()
def xapi() -> None:
    """Generate and check xAPI statements."""


@xapi.command()
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same statements.")
@click.option("--learners", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--output", "-o", default="-", show_default=True, help="JSON-lines file, - for stdout.")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Statements per POST when sending to an LRS.")
@click.option("--profile", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The xAPI profile (default: $ELEARN_PROFILE, else the programme's, installed with the tool).")
@lrs_options
def generate(seed, learners, output, batch_size, profile, connect) -> None:
    """Realistic statements of the profile (two organisations, three stages); to a file, or POSTed to an LRS
    when an endpoint is given."""
    from elearn_builder.xapi.generate import generate_statements, json_lines
    from elearn_builder.xapi.profile import load_profile

    statements = generate_statements(seed, learners, load_profile(profile))
    connection = connect(required=False)
    if connection is not None:
        from elearn_builder.xapi.lrs import post

        sent = post(connection, statements, batch_size)
        click.echo(f"sent {sent} statement(s) to {connection.shown}", err=True)
        return
    with output_file(output) as handle:
        handle.writelines(json_lines(statements))


@xapi.command()
@click.argument("source", required=False)
@click.option("--from-lrs", is_flag=True, help="Check the statements an LRS query returns.")
@click.option("--profile", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The xAPI profile (default: $ELEARN_PROFILE, else the programme's, installed with the tool).")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON lines.")
@query_options
@lrs_options
def check(source, from_lrs, profile, as_json, connect, **filters) -> None:
    """Check statements (a JSON-lines FILE, - for stdin, or --from-lrs) against the xAPI rules and the profile;
    exit 1 when any problem is found."""
    from elearn_builder.xapi.profile import Vocabulary, load_profile
    from elearn_builder.xapi.statement_check import as_dict, check_statements

    counting = _Counter(_statements(source, from_lrs, connect, filters))
    problems = 0
    for problem in check_statements(counting, Vocabulary(load_profile(profile))):
        problems += 1
        click.echo(json.dumps(as_dict(problem)) if as_json else str(problem))
    click.echo(f"{counting.count} statement(s), {problems} problem(s)", err=True)
    sys.exit(1 if problems else 0)


class _Counter:
    """An iterable that counts what passes through it."""

    def __init__(self, items) -> None:
        self.items, self.count = items, 0

    def __iter__(self):
        for item in self.items:
            self.count += 1
            yield item


@click.group()
def lrs() -> None:
    """Read statements from an LRS."""


@lrs.command()
@click.option("--format", "-f", "fmt", type=click.Choice(("jsonl", "csv")), default="jsonl", show_default=True)
@click.option("--output", "-o", default="-", show_default=True, help="File to write, - for stdout.")
@click.option("--csv-formulas", is_flag=True, help=KEEP_HELP)
@query_options
@lrs_options
def query(fmt, output, csv_formulas, connect, **filters) -> None:
    """Every statement matching the filters, following `more` to the end, as JSON lines or CSV."""
    from elearn_builder.xapi.generate import json_lines
    from elearn_builder.xapi.lrs import csv_lines
    from elearn_builder.xapi.lrs import query as run_query

    filters["agent"] = agent_filter(filters.get("agent"))
    statements = _Counter(run_query(connect(), **filters))
    with output_file(output) as handle:
        handle.writelines(csv_lines(statements, csv_formulas) if fmt == "csv" else json_lines(statements))
    click.echo(f"{statements.count} statement(s)", err=True)


@click.group()
def report() -> None:
    """Reports for the partnership."""


@report.command()
@click.argument("source", required=False)
@click.option("--from-lrs", is_flag=True, help="Read the statements from an LRS query instead of a file.")
@click.option("--organisation-from", type=click.Choice(("extension", "homepage")), default="extension",
              show_default=True, help="The organisation context extension (else the home page), or the account's "
                                      "home page.")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for the CSV tables.")
@click.option("--csv-formulas", is_flag=True, help=KEEP_HELP)
@click.option("--html", "html_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The self-contained HTML report to write: a page for an organisation's board, with small groups "
                   "left out.")
@click.option("--min-group", type=click.IntRange(min=1), default=5, show_default=True, metavar="N",
              help="The HTML report leaves out the figures of any group of fewer than N learners (and of one more "
                   "group where they could be worked out from a total). The CSV tables keep every group.")
@click.option("--programme", "programme_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              metavar="DIR", help="The programme's sources (the folder with programme.yaml), for the names in the "
                                  "HTML report: stages, key areas, questions, modules.  [default: content, when it "
                                  "exists]")
@query_options
@lrs_options
def baseline(source, from_lrs, organisation_from, csv_dir, csv_formulas, html_file, min_group, programme_dir,
             connect, **filters) -> None:
    """The self-assessment baseline per stage, key area, PCF domain, organisation and month, with completion and
    pass rates and the questions most often answered wrongly."""
    from elearn_builder.report.baseline import Baseline, write_csv
    from elearn_builder.model import GAP_THRESHOLD

    names = _report_names(programme_dir) if html_file else None
    result = Baseline(organisation_from, GAP_THRESHOLD).add_all(_statements(source, from_lrs, connect, filters))
    tables = result.tables()
    if csv_dir:
        for path in write_csv(tables, csv_dir, csv_formulas):
            click.echo(f"wrote {path}", err=True)
    if html_file:
        from elearn_builder.report.page import render

        page = render(result.tables(min_learners=min_group), names, min_group, statements=result.statements,
                      gap_threshold=GAP_THRESHOLD)
        with output_file(str(html_file)) as handle:
            handle.write(page)
        click.echo(f"wrote {html_file}", err=True)
    if not csv_dir and not html_file:
        for row in tables["stages"]:
            click.echo(json.dumps(row))
    click.echo(f"{result.statements} statement(s), {len(result.learners)} learner-stage(s)", err=True)


def _report_names(folder: Path | None):
    """The names for the HTML report: from the programme in ``folder`` (an error if it does not load), else from
    ``content`` when there is one, else none (the report shows ids as recorded and says so)."""
    from elearn_builder.diagnostics import Diagnostics, ElearnError
    from elearn_builder.sources.course import load_course
    from elearn_builder.render.stage import load_strings
    from elearn_builder.report.names import names_for

    if folder is None and not (Path("content") / "programme.yaml").is_file():
        click.echo("no programme sources (content/programme.yaml): the report shows stages and key areas as the "
                   "statements record them; give --programme DIR", err=True)
        return names_for(None, load_strings("en-GB"))
    diags = Diagnostics()
    programme = load_course(folder or Path("content"), diags)
    if programme is None:
        for diagnostic in diags.sorted():
            click.echo(str(diagnostic), err=True)
        raise ElearnError(f"{len(diags.errors)} error(s) in the programme's sources ({folder or 'content'}): "
                          "no report was written")
    return names_for(programme, load_strings(programme.language))
