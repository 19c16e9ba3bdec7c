"""The build benchmark: ``python bench/run.py`` (not part of the test suite).

For the bundled programme at 1x, 4x and 16x its modules and questions (bench/course.py) it times, in
a fresh process per run, with the median over ``--runs`` runs of wall time, CPU time (user + system,
from the child's rusage) and peak memory (max RSS):

- full:      a clean build of every stage and format (``--no-cache``, empty output folder);
- full -j2:  the same with ``--jobs 2`` (two rendering processes, two compressing threads);
- cold:      the same with the cache on but empty (the first build on a machine);
- one-page:  a rebuild after one page changed (a different sentence each run);
- no-change: a rebuild with nothing changed;
- floor:     bench/floor.py, which only reads the sources and writes the same zips' contents;
- warm full, warm one-page, warm no-change: the same builds in one process that stays up (bench/warm.py,
             what ``elearn build --watch`` and ``elearn preview`` do), timed inside it (wall, and CPU from
             ``time.process_time``); "warm first" is that process's first build (it pays the imports);
- DIY:       ``mkdocs build`` then ``simple-scorm-packager`` (bench/diy.py), against our build of the
             same SCORM 1.2 and 2004 packages (they make no cmi5 or xAPI).

It also reports the runtime's weight (our JS and CSS in a package, raw and gzipped), the package
sizes, and in Chromium the time to move to the next page and the LMS commits (bench/browser.py).
Results go to stdout and ``bench/.work/results.json``.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
FORMATS = ("scorm12", "scorm2004", "cmi5", "xapi")
sys.path.insert(0, str(HERE))

import course as courses  # noqa: E402  (bench-local modules)
import diy  # noqa: E402


def timed(argv: list[str], cwd: Path = REPO) -> dict:
    """Run one process; its wall time, and from its rusage (``os.wait4``: the process and the children it
    waited for) its CPU time (user + system) and peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        began = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, argv))}\n{stdout}\n{stderr}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_kib": usage.ru_maxrss, "stdout": stdout}


def median_of(runs: list[dict]) -> dict:
    out = {key: statistics.median(r[key] for r in runs) for key in ("wall", "cpu", "rss_kib")}
    built = [r["seconds"] for r in runs if r.get("seconds") is not None]
    out["in_build"] = statistics.median(built) if built else None
    out["runs"] = len(runs)
    return out


def elearn(course: Path, output: Path, *extra: str, formats=FORMATS) -> list[str]:
    argv = [sys.executable, "-m", "elearn_builder.cli", "build", "-s", str(course), "-o", str(output),
            "--profile", str(REPO / "xapi_profiles"), "--templates", str(REPO / "templates"), "--json", *extra]
    for fmt in formats:
        argv += ["-f", fmt]
    return argv


def run_build(argv: list[str]) -> dict:
    result = timed(argv)
    result["seconds"] = json.loads(result["stdout"])["seconds"]
    return result


def measure_size(k: int, runs: int, source: Path) -> dict:
    """Every build case for the course at ``k`` times its size."""
    course = courses.scaled(source, WORK / f"course-{k}x", k)
    out, cache = WORK / f"out-{k}x", WORK / ".elearn-cache"
    results: dict[str, dict] = {}

    def fresh_output():
        shutil.rmtree(out, ignore_errors=True)

    full = []
    for _ in range(runs):
        fresh_output()
        full.append(run_build(elearn(course, out, "--no-cache")))
    results["full"] = median_of(full)
    parallel = []
    for _ in range(runs):
        fresh_output()
        parallel.append(run_build(elearn(course, out, "--no-cache", "--jobs", "2")))
    results["full -j2"] = median_of(parallel)
    cold = []
    for _ in range(runs):
        fresh_output()
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(run_build(elearn(course, out)))
    results["cold"] = median_of(cold)
    one_page, no_change = [], []
    for i in range(runs):
        courses.edit_page(course, f"{time.time_ns()} run {i}")
        one_page.append(run_build(elearn(course, out)))
        no_change.append(run_build(elearn(course, out)))
    results["one-page"] = median_of(one_page)
    results["no-change"] = median_of(no_change)
    extracted = WORK / f"extracted-{k}x"
    shutil.rmtree(extracted, ignore_errors=True)
    for zip_path in sorted(out.glob("*.zip")):
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(extracted / zip_path.stem)
    floor = []
    for _ in range(runs):
        shutil.rmtree(WORK / "floor-out", ignore_errors=True)
        floor.append(timed([sys.executable, str(HERE / "floor.py"), str(course), str(extracted), str(WORK / "floor-out")]))
    results["floor"] = median_of(floor)
    results.update(measure_warm(course, k, runs))
    results["packages"] = {p.name: p.stat().st_size for p in sorted(out.glob("*.zip"))}
    return results


WARM_CASES = ("warm first", "warm full", "warm one-page", "warm no-change")


def measure_warm(course: Path, k: int, runs: int) -> dict:
    """bench/warm.py's cases: median wall, CPU and the build's own time over ``runs`` builds in one process."""
    argv = [sys.executable, str(HERE / "warm.py"), str(course), str(WORK / f"warm-out-{k}x"),
            str(WORK / f".warm-cache-{k}x"), str(runs), str(REPO / "templates"), str(REPO / "xapi_profiles")]
    cases = json.loads(timed(argv)["stdout"])
    out = {}
    for name in WARM_CASES:
        found = cases[name.replace("warm first", "first")]
        out[name] = {"wall": statistics.median(r["wall"] for r in found), "cpu": statistics.median(r["cpu"] for r in found),
                     "in_build": statistics.median(r["seconds"] for r in found), "rss_kib": None, "runs": len(found),
                     "cache": sorted({r["status"] for r in found})}
    out["warm imports"] = cases["imports"][0]
    return out


def measure_diy(source: Path, runs: int) -> dict:
    """The DIY route and our build of the same six SCORM packages, in the same run."""
    reason = diy.setup()
    if reason:
        return {"skipped": f"DIY tools could not be installed: {reason}"}
    target = WORK / "diy"
    stages = diy.project(source, target)
    script = diy.script(target, stages)
    theirs = [timed(["bash", "-c", script]) for _ in range(runs)]
    ours_out = WORK / "out-scorm-only"
    ours = []
    for _ in range(runs):
        shutil.rmtree(ours_out, ignore_errors=True)
        ours.append(run_build(elearn(source, ours_out, "--no-cache", formats=tuple(diy.VERSIONS))))
    sizes = {p.parent.name: p.stat().st_size for p in sorted(target.glob("out-*/*.zip"))}
    return {"diy": median_of(theirs), "ours": median_of(ours), "diy_packages": sizes,
            "ours_packages": {p.name: p.stat().st_size for p in sorted(ours_out.glob("*.zip"))}}


def runtime_weight(out: Path) -> dict:
    """Our JS and CSS (and fonts, if any) in each format's package: raw bytes, and gzip -9 per file."""
    weights = {}
    for fmt in FORMATS:
        zip_path = next(out.glob(f"*-{fmt}.zip"))
        with zipfile.ZipFile(zip_path) as zf:
            assets = {n: zf.read(n) for n in zf.namelist() if n.startswith("assets/")}
        weights[fmt] = {"files": len(assets), "raw": sum(map(len, assets.values())),
                        "gzip": sum(len(gzip.compress(d, 9, mtime=0)) for d in assets.values())}
    return weights


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
                     for r in rows)


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


def report(results: dict) -> str:
    lines = []
    for k, cases in results["sizes"].items():
        full, warm = cases["full"], cases.get("warm full")
        rows = [["case", "wall", "in build", "CPU", "peak RSS", "/ full", "CPU / full", "/ warm full",
                 "CPU / warm full", "/ floor"]]
        for name in ("full", "full -j2", "cold", "one-page", "no-change", "floor") + WARM_CASES:
            c = cases.get(name)
            if c is None:
                continue
            rows.append([name, ms(c["wall"]), ms(c["in_build"]), ms(c["cpu"]),
                         "-" if c["rss_kib"] is None else f"{c['rss_kib'] / 1024:.0f} MiB",
                         f"{c['wall'] / full['wall']:.2f}", f"{c['cpu'] / full['cpu']:.2f}",
                         f"{c['wall'] / warm['wall']:.2f}" if warm else "-",
                         f"{c['cpu'] / warm['cpu']:.2f}" if warm else "-",
                         f"{c['wall'] / cases['floor']['wall']:.2f}"])
        total = sum(cases["packages"].values())
        lines += [f"\n{k}: {len(cases['packages'])} packages, {total / 1024:.0f} KiB", table(rows)]
        if warm:
            imports = cases["warm imports"]
            lines.append(f"warm: one process (bench/warm.py); importing elearn_builder.build took {ms(imports['wall'])} "
                         f"wall, {ms(imports['cpu'])} CPU (time.process_time: user + system, as rusage gives the fresh commands)")
    sizes = list(results["sizes"])
    if len(sizes) > 1:
        base = results["sizes"][sizes[0]]["full"]["wall"]
        lines.append("\ngrowth of a full build: " + ", ".join(
            f"{k} {results['sizes'][k]['full']['wall'] / base:.1f}x" for k in sizes))
    d = results.get("diy", {})
    if "skipped" in d:
        lines.append(f"\nDIY: {d['skipped']}")
    elif d:
        lines.append(f"\nDIY (mkdocs build + simple-scorm-packager, 3 stages x SCORM 1.2/2004): {ms(d['diy']['wall'])} "
                     f"wall, {ms(d['diy']['cpu'])} CPU; ours for the same 6 packages: {ms(d['ours']['wall'])} wall, "
                     f"{ms(d['ours']['cpu'])} CPU: ours is {d['diy']['wall'] / d['ours']['wall']:.1f}x faster; "
                     f"package size DIY {sum(d['diy_packages'].values()) / len(d['diy_packages']) / 1024:.0f} KiB "
                     f"vs ours {sum(d['ours_packages'].values()) / len(d['ours_packages']) / 1024:.0f} KiB on average")
    for fmt, w in results.get("runtime", {}).items():
        lines.append(f"runtime {fmt}: {w['files']} files, {w['raw'] / 1024:.1f} KiB raw, {w['gzip'] / 1024:.1f} KiB gzipped")
    b = results.get("browser", {})
    if "skipped" in b:
        lines.append(f"browser: {b['skipped']}")
    for fmt, m in b.get("formats", {}).items():
        lines.append(f"browser {fmt}: next page median {m['next_ms_median']:.1f} ms, 90th percentile "
                     f"{m['next_ms_p90']:.1f} ms, max {m['next_ms_max']:.1f} ms "
                     f"over {m['pages']} pages; commits: {m['commits_max_per_page']} at most per page, "
                     f"{m['commits_at_exit']} at exit")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1,4,16", help="course sizes (multiples of the bundled programme)")
    parser.add_argument("--source", type=Path, default=REPO / "content")
    parser.add_argument("--no-diy", action="store_true")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                 "load": os.getloadavg()}, "runs": args.runs, "sizes": {}}
    for k in (int(s) for s in args.sizes.split(",")):
        print(f"measuring {k}x ...", file=sys.stderr, flush=True)
        results["sizes"][f"{k}x"] = measure_size(k, args.runs, args.source)
    first = f"{args.sizes.split(',')[0]}x"
    results["runtime"] = runtime_weight(WORK / f"out-{first}")
    if not args.no_diy:
        print("measuring the DIY route ...", file=sys.stderr, flush=True)
        results["diy"] = measure_diy(args.source, max(1, min(args.runs, 3)))
    if not args.no_browser:
        print("measuring in the browser ...", file=sys.stderr, flush=True)
        from browser import measure as browser_measure

        results["browser"] = browser_measure(WORK / f"out-{first}", WORK / "browser")
    results["machine"]["load_after"] = os.getloadavg()
    (WORK / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(report(results))


if __name__ == "__main__":
    main()
