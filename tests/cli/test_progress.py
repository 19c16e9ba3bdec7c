"""What build tells a person: progress on stderr (terminal or -v only), a one-line summary, -v detail."""
from __future__ import annotations

import io
import json
from pathlib import Path

from click.testing import CliRunner

from elearn_builder.build import BuildOptions, build
from elearn_builder.cli.commands import main
from elearn_builder.cli.progress import PROGRESS_AFTER, Progress, detail_lines, package_lines, summary

MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_not_a_terminal_and_not_verbose_prints_nothing():
    stream = io.StringIO()
    progress = Progress(stream, terminal=False, verbose=False)
    progress(1, 4, "rendered a.zip")
    progress.close()
    assert stream.getvalue() == ""


def test_verbose_without_a_terminal_prints_a_line_per_step():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, terminal=False, verbose=True, clock=clock)
    progress(1, 2, "rendered a.zip")
    clock.now = 1.5
    progress(2, 2, "zipped a.zip")
    assert stream.getvalue().splitlines() == ["[1/2] rendered a.zip (0.00 s)", "[2/2] zipped a.zip (1.50 s)"]


def test_a_terminal_sees_one_rewritten_line_once_the_build_is_long():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, terminal=True, verbose=False, clock=clock)
    progress(1, 4, "quick")
    assert stream.getvalue() == ""  # a short build shows only its summary
    clock.now = PROGRESS_AFTER + 0.1
    progress(2, 4, "rendered b.zip")
    progress(3, 4, "rendered c.zip")
    assert stream.getvalue() == "\r\033[K[2/4] rendered b.zip\r\033[K[3/4] rendered c.zip"
    progress.close()
    assert stream.getvalue().endswith("\r\033[K") and "\n" not in stream.getvalue()


def test_summary_names_packages_files_size_time_and_cache(tmp_path):
    result = build(BuildOptions(source=MINIMAL, output=tmp_path / "out", templates=None, cache=False))
    line = summary(result, tmp_path / "out")
    files = sum(p.files for p in result.packages)
    kib = sum(p.size for p in result.packages) / 1024
    assert line.startswith(f"built 4 package(s), {files} files, {kib:.1f} KiB into {tmp_path / 'out'} in ")
    assert line.endswith("(no cache; 4 written)")
    assert len(package_lines(result, verbose=True)) == 4
    assert all(line.endswith(" ms") for line in package_lines(result, verbose=True))
    steps, cache = detail_lines(result)
    assert steps.startswith("steps: inputs ") and all(s in steps for s in ("load", "render", "zip", "write"))
    assert cache == "cache: off, 0 compressed entries reused, {} compressed, 4 of 4 package(s) written".format(
        result.cache["deflated"])


def test_cli_verbose_shows_progress_and_detail_then_the_summary(tmp_path):
    run = CliRunner().invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path / "out"), "-v", "--no-cache"])
    assert run.exit_code == 0, run.output
    lines = run.output.splitlines()
    assert sum(line.startswith("[") and "rendered mini-" in line for line in lines) == 4
    assert sum(line.startswith("[") and "zipped mini-" in line for line in lines) == 4
    assert any(line.startswith("steps: ") for line in lines)
    assert lines[-1].startswith("built 4 package(s), ")


def test_cli_default_and_quiet_output(tmp_path):
    runner = CliRunner()
    plain = runner.invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path / "a"), "--no-cache"])
    quiet = runner.invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path / "b"), "--no-cache", "-q"])
    assert plain.exit_code == quiet.exit_code == 0
    (line,) = [line for line in plain.output.splitlines() if not line.startswith("note: ")]
    assert line.startswith("built 4 package(s), ")
    assert all(line.startswith("note: ") for line in quiet.output.splitlines())


def test_json_output_keeps_its_shape_and_adds_timings(tmp_path):
    run = CliRunner().invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path), "--json", "--no-cache"])
    data = json.loads(run.output)
    assert data["ok"] is True and isinstance(data["diagnostics"], list)
    assert {"path", "stage", "format", "files", "bytes", "seconds"} <= set(data["packages"][0])
    assert set(data["timings"]) == {"inputs", "load", "render", "zip", "write"}
    assert data["written"] == 4 and data["cache"]["status"] == "off"
