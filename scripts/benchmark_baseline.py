"""Time and peak memory of ``report baseline`` over a large statements file: python scripts/benchmark_baseline.py [N]."""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import resource, sys, time
from elearn_builder.baseline import Baseline
from elearn_builder.jsonlines import read_statements
start = time.perf_counter()
result = Baseline().add_all(read_statements(sys.argv[1]))
result.tables()
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{result.statements} statements, {len(result.learners)} learner-stages: {seconds:.1f} s, "
      f"peak RSS {peak:.0f} MiB ({result.statements / seconds:,.0f} statements/s)")
"""


def main() -> None:
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    from elearn_builder.xapi.generate import generate_statements, json_lines

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "statements.jsonl"
        start, written = time.perf_counter(), 0
        with path.open("w", encoding="utf-8") as handle:
            for line in json_lines(generate_statements(seed=1, learners=wanted // 25 + 1)):
                handle.write(line)
                written += 1
                if written >= wanted:
                    break
        print(f"generated {written} statements ({path.stat().st_size / 2**20:.0f} MiB) "
              f"in {time.perf_counter() - start:.1f} s")
        subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True)


if __name__ == "__main__":
    main()
