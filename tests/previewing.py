"""A preview built, watched and served on 127.0.0.1 inside the test process (tests/preview/test_session.py and
tests/browser/test_preview_page.py)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from elearn_builder.preview.session import Preview, PreviewOptions
from elearn_builder.preview.server import PreviewServer


@contextmanager
def running_preview(options: PreviewOptions) -> Iterator[tuple[Preview, str]]:
    """Yields (preview, base URL) while the server and the source watcher run; stops both after."""
    preview = Preview(options)
    preview.rebuild()
    server = PreviewServer(preview, 0)
    stop = threading.Event()
    threads = [threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True),
               threading.Thread(target=preview.watch, args=(stop,), daemon=True)]
    for thread in threads:
        thread.start()
    try:
        yield preview, server.url
    finally:
        stop.set()
        server.stop()
        for thread in threads:
            thread.join(timeout=5)
