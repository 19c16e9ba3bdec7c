"""Warm-process builds: what ``elearn build --watch`` and ``elearn preview`` do, in one process.

    python bench/warm.py COURSE OUTPUT CACHE RUNS [TEMPLATES PROFILE]

Imports ``elearn_builder.build`` once and keeps one ``Caches`` for every build (as ``--watch`` does), then times with ``time.perf_counter`` (wall) and
``time.process_time`` (CPU of this process):

- warm full:      a clean build (cache off, empty output folder), RUNS times after one untimed one
                  (the first build of a session pays the imports and first-use costs; it is reported apart);
- warm one-page:  with the cache on (primed by one untimed build), a rebuild after one page changed
                  (bench/course.py edit_page, a different sentence each run);
- warm no-change: a rebuild right after it with nothing changed.

Prints one JSON object: {case: [{"wall": s, "cpu": s, "seconds": the build's own figure, "written": n}]}.
"""
from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import course as courses  # noqa: E402  (bench-local module)

FORMATS = ("scorm12", "scorm2004", "cmi5", "xapi")


def main(course: Path, output: Path, cache: Path, runs: int, templates: Path, profile: Path) -> dict:
    began_wall, began_cpu = time.perf_counter(), time.process_time()
    from elearn_builder.build import BuildOptions, build
    from elearn_builder.cache.memo import Caches

    imports = {"wall": time.perf_counter() - began_wall, "cpu": time.process_time() - began_cpu}
    options = BuildOptions(source=course, output=output, templates=templates, profile=profile, formats=FORMATS)
    clean, cached = replace(options, cache=False), replace(options, cache_dir=cache)
    caches = Caches()  # what the process keeps between builds, as --watch and preview keep it

    def timed(opts: BuildOptions) -> dict:
        wall, cpu = time.perf_counter(), time.process_time()
        result = build(opts, caches=caches)
        return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "seconds": result.seconds,
                "written": result.written, "status": result.cache.get("status")}

    cases: dict[str, list] = {"imports": [imports], "first": [], "warm full": [], "warm one-page": [],
                              "warm no-change": []}
    for i in range(runs + 1):
        shutil.rmtree(output, ignore_errors=True)
        cases["first" if i == 0 else "warm full"].append(timed(clean))
    shutil.rmtree(cache, ignore_errors=True)
    timed(cached)  # primes the cache, as --watch's first build does
    for i in range(runs):
        courses.edit_page(course, f"{time.time_ns()} warm {i}")
        cases["warm one-page"].append(timed(cached))
        cases["warm no-change"].append(timed(cached))
    return cases


if __name__ == "__main__":
    args = sys.argv[1:]
    paths = [Path(a) for a in args[4:6]] + [Path("templates"), Path("xapi_profiles")][len(args[4:6]):]
    print(json.dumps(main(Path(args[0]), Path(args[1]), Path(args[2]), int(args[3]), *paths)))
