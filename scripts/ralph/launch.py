"""Run Ralph (PyPI ``ralph-malph`` 5.1.0) as a local test LRS with its file-system backend.

Run it with the Python of Ralph's own venv (``.venv-ralph``, made by ``scripts/test.sh``)::

    .venv-ralph/bin/python scripts/ralph/launch.py --port 8100 --data-dir /tmp/lrs \
        --auth-file /tmp/lrs/auth.json --cors-origin http://127.0.0.1:8200

Why not ``ralph runserver``: it reloads on file changes in the current folder, and 5.1.0's ``fs``
backend has two bugs that make it unusable as an LRS (``../shared/TESTING.md`` beside the repository).
This launcher fixes them in the running process (nothing in the venv is edited) and then serves
``ralph.api:app`` with uvicorn, bound to 127.0.0.1 only:

1. The second POST fails with 500: the backend writes with operation type CREATE, which refuses
   a file that already exists. We make APPEND the default.
2. ``?verb=`` and ``?activity=`` match nothing: the API turns them into pydantic IRI objects and
   the filters compare those with the strings in the stored statements. We pass ``str()`` of them.
3. (Speed, not correctness.) Every read and write of the file also rewrites a JSON "history"
   file whole (quadratic over a run); an LRS has no use for it, so we skip it.

Every option can also come from the environment (``RALPH_*`` as Ralph reads them); the
options win. Exit with SIGTERM or SIGINT.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from pathlib import Path


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("RALPH_RUNSERVER_PORT", "8100")))
    parser.add_argument("--data-dir", type=Path,
                        help="folder of the statements file fs_lrs.jsonl (default: $RALPH_BACKENDS__LRS__FS__"
                             "DEFAULT_DIRECTORY_PATH, else the current folder)")
    parser.add_argument("--auth-file", type=Path,
                        help="credentials written by `ralph auth` (default: $RALPH_AUTH_FILE)")
    parser.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                        help="an origin such as http://127.0.0.1:8200 that browser pages may call from; repeatable")
    parser.add_argument("--log-level", default="warning")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="stop when the process that started us is gone (a test run killed hard)")
    return parser.parse_args(argv)


def configure_environment(args: argparse.Namespace) -> None:
    """Ralph reads its settings from the environment when it is imported: set them first."""
    os.environ["RALPH_RUNSERVER_BACKEND"] = "fs"  # the only backend that needs no database
    if args.data_dir:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        os.environ["RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH"] = str(args.data_dir.resolve())
        os.environ.setdefault("RALPH_APP_DIR", str(args.data_dir.resolve()))
    if args.auth_file:
        os.environ["RALPH_AUTH_FILE"] = str(args.auth_file.resolve())
    if args.cors_origin:
        os.environ["RALPH_RUNSERVER_CORS_ALLOW_ORIGINS"] = json.dumps(args.cors_origin)


def patch_fs_backend() -> None:
    """Apply the fixes listed in the module docstring to Ralph's fs LRS backend class."""
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    # Fix 1: append to the statements file instead of refusing to write to an existing one.
    FSLRSBackend.default_operation_type = BaseOperationType.APPEND

    # Fix 2: compare IRIs as strings. Both filters are static methods that close over the value.
    verb_filter = FSLRSBackend._add_filter_by_verb
    activity_filter = FSLRSBackend._add_filter_by_activity
    FSLRSBackend._add_filter_by_verb = staticmethod(
        lambda filters, verb_id: verb_filter(filters, str(verb_id) if verb_id else verb_id))
    FSLRSBackend._add_filter_by_activity = staticmethod(
        lambda filters, object_id, related: activity_filter(
            filters, str(object_id) if object_id else object_id, related))

    # Fix 3: no history bookkeeping (it is for the `ralph read/write` commands, not for an LRS).
    FSLRSBackend.append_to_history = lambda self, event: None


def exit_with_parent() -> None:
    """Watch the parent process from a daemon thread; when it is gone, stop as on SIGTERM."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.exit_with_parent:
        exit_with_parent()
    configure_environment(args)
    patch_fs_backend()  # before ralph.api is imported: it creates the backend at import time

    import uvicorn

    from ralph.api import app

    # 127.0.0.1 only: nothing outside this machine may reach a test LRS.
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level=args.log_level, access_log=False)


if __name__ == "__main__":
    main()
