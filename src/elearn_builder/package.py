"""Write packages: reproducible zips, all written to temporary files first and renamed together."""
from __future__ import annotations

import os
import tempfile
import time
import zipfile
from pathlib import Path

DEFAULT_EPOCH = 315532800
"""1980-01-01T00:00:00Z, the earliest time a zip can hold; used unless SOURCE_DATE_EPOCH is set."""


def zip_time() -> tuple[int, int, int, int, int, int]:
    """The fixed timestamp of every zip entry (``SOURCE_DATE_EPOCH`` when set)."""
    try:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
    except ValueError:
        epoch = DEFAULT_EPOCH
    return time.gmtime(max(epoch, DEFAULT_EPOCH))[:6]


def zip_bytes_to(handle, files: dict[str, bytes]) -> None:
    """Write ``files`` to an open binary handle as a zip with sorted entries and fixed metadata."""
    stamp = zip_time()
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, so the permissions above mean the same everywhere
            zf.writestr(info, files[name], compresslevel=9)


def write_packages(output: Path, packages: dict[str, dict[str, bytes]]) -> list[Path]:
    """Write every package into ``output`` atomically: nothing changes unless all of them were written."""
    output.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[str, Path]] = []
    try:
        for name in sorted(packages):
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=output)
            temps.append((name, Path(tmp)))
            with os.fdopen(fd, "wb") as handle:
                zip_bytes_to(handle, packages[name])
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        for _, tmp in temps:
            tmp.unlink(missing_ok=True)
        raise
    written = []
    for name, tmp in temps:
        target = output / name
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        written.append(target)
    return written
