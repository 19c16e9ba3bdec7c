"""Rendered Markdown in the build cache: how a memo of renders (``sources.markdown.Renderer.render``) is kept.

A render is kept under a hash of the text, its file and first line, the course folder, the HTML
policy and the package's own hash. It holds the HTML, the diagnostics and the media references the
render made (replayed on a hit, so a hit is indistinguishable from a render) and the course paths
it checked: a hit whose paths no longer resolve as they did is a miss. Entries live in memory for
the process (``elearn preview`` builds again and again) and, through the build cache, in one JSON
file per course folder in ``.elearn-cache``; a damaged or foreign file reads as empty.
"""
from __future__ import annotations

import json

from elearn_builder.diagnostics import Diagnostic
from elearn_builder.model import Location
from elearn_builder.sources.markdown import Rendered

KIND = "markdown"
"""The build cache's folder for these files."""


class RenderCodec:
    """Renders as JSON, read back only when every entry is in the shape written."""

    @staticmethod
    def encode(entries: dict[str, Rendered]) -> bytes:
        return json.dumps({key: {"html": r.html, "diags": [d.as_dict() for d in r.diags],
                                 "media": [[rel, [w.path, w.line, w.col]] for rel, w in r.media],
                                 "checked": [list(c) for c in r.checked]}
                           for key, r in entries.items()}, sort_keys=True).encode()

    @staticmethod
    def decode(data: bytes) -> dict[str, Rendered] | None:
        try:
            entries = json.loads(data)
            out = {}
            for key, e in entries.items():
                checked = tuple((str(rel), bool(inside), bool(is_file)) for rel, inside, is_file in e["checked"])
                diags = tuple(Diagnostic(Location(str(d["path"]), int(d["line"]), int(d["col"])), str(d["severity"]),
                                         str(d["code"]), str(d["message"])) for d in e["diags"])
                media = tuple((str(rel), Location(str(w[0]), int(w[1]), int(w[2]))) for rel, w in e["media"])
                if not isinstance(e["html"], str) or not all(type(c[0]) is str and type(c[1]) is bool
                                                             and type(c[2]) is bool for c in e["checked"]):
                    return None
                out[key] = Rendered(e["html"], diags, media, checked)
            return out
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            return None
