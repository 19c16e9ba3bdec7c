"""The floor: read the same sources, write the same zips' contents, do nothing else.

    python bench/floor.py COURSE EXTRACTED OUTPUT

COURSE is the course folder (every file is read, as a build reads them); EXTRACTED holds one folder
per package with its final files (taken from a real build before timing); OUTPUT gets one zip per
folder, written the way ``elearn build`` writes (deflate level 9, sorted entries, fsync, rename).
"""
from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def main(course: Path, extracted: Path, output: Path) -> None:
    read_tree(course)
    output.mkdir(parents=True, exist_ok=True)
    for package in sorted(p for p in extracted.iterdir() if p.is_dir()):
        files = read_tree(package)
        tmp = output / f".{package.name}.zip.tmp"
        with open(tmp, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
                for name in sorted(files):
                    zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), files[name],
                                compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, output / f"{package.name}.zip")


if __name__ == "__main__":
    main(*(Path(a) for a in sys.argv[1:4]))
