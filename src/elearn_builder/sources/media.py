"""The course's media as the packages will hold them: the same name rules as ``elearn validate`` (so a build
never makes a package that validate fails), no scripted SVG, and a warning for HTML, XHTML and XML media."""
from __future__ import annotations

from pathlib import Path

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.model import Location
from elearn_builder.standards import descriptors

PACKAGE_FILES = ("index.html", *descriptors(), "assets/package.js", "assets/theme.css")
"""Files of every package besides the media and the runtime scripts."""


def check_media(root: Path, used: dict[str, Location], diags: Diagnostics) -> None:
    """Report, at the place that first names each medium, what validate would refuse in the package, and
    scripted SVG at its own line."""
    from elearn_builder.check.activecontent import is_page, svg_problems
    from elearn_builder.check.findings import Findings
    from elearn_builder.render.stage import RUNTIME_SCRIPTS
    from elearn_builder.check.zipsafety import Limits, check_names

    fixed = [*PACKAGE_FILES, *(f"assets/{name}" for name in RUNTIME_SCRIPTS)]
    findings = Findings()
    check_names(sorted(used) + fixed, findings, Limits())
    for finding in findings.items:
        if finding.member not in used:
            continue  # only a medium can be renamed by the author
        report = diags.error if finding.severity == "error" else diags.warning
        report(used[finding.member], finding.code, f"medium {finding.message} (elearn validate checks the same)")
    for rel, where in sorted(used.items()):
        if rel.lower().endswith(".svg"):
            try:
                data = (root / rel).read_bytes()
            except OSError:
                continue  # reported where the reference was resolved
            for line, what in svg_problems(data):
                diags.error(Location(rel, line, 1), "media.scripted-svg",
                            f'"{rel}" {what}: an SVG that can run script would run it in the LMS\'s origin '
                            f"with the learner's session (used at {where}); remove it or export a plain drawing")
        elif is_page(rel):
            diags.warning(where, "media.active-content",
                          f'"{rel}" is a page a browser runs as a document in the LMS\'s origin: any script in it '
                          "can act for the learner; prefer a PDF, an image or text in the module")
