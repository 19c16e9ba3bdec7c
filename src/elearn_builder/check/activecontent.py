"""Files that can run script in the package's origin (the LMS's): SVG with script, HTML, XHTML and XML.

Media are copied into a package byte for byte, and the package is served from the LMS's origin: an
SVG opened by a link runs its ``<script>`` or ``onload`` there, with the learner's session. The build
refuses scripted SVG with a located error and warns on HTML/XHTML/XML media; ``elearn validate`` flags
the same in any package.
"""
from __future__ import annotations

import re

from lxml import etree

from elearn_builder.standards import descriptors

PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".xht", ".xml")
"""Media a browser opens as a document that may run script."""
_SCRIPTING = frozenset({"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"})
"""SVG elements that run script or embed a document that can."""
_ANIMATIONS = frozenset({"set", "animate"})
_SCRIPT_URL = re.compile(r"^(javascript|vbscript):", re.IGNORECASE)
_DATA_URL = re.compile(r"^data:", re.IGNORECASE)
_IMAGE_ELEMENTS = frozenset({"image", "feimage"})
"""Elements whose ``data:`` href is an image, shown without running anything."""
_PAGE_SCRIPT = re.compile(rb"<script\b|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def _local(name) -> str:
    return etree.QName(name).localname.lower() if isinstance(name, str) else ""


def _squeezed(value: str) -> str:
    """The value as a browser reads a URL: without whitespace and control characters."""
    return re.sub(r"[\x00-\x20]+", "", value)


def svg_problems(data: bytes) -> list[tuple[int, str]]:
    """(line, what) for each way the SVG could run script; empty for a plain drawing."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [(exc.lineno or 1, f"is not well-formed XML ({exc.msg}): it cannot be checked for script")]
    found = []
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None and len(list(tree.docinfo.internalDTD.iterentities())):
        found.append((1, "declares entities, which a browser expands into the drawing"))
    for node in root.itersiblings(preceding=True):
        if isinstance(node, etree._ProcessingInstruction) and node.target == "xml-stylesheet":
            found.append((node.sourceline or 1, "names a style sheet (<?xml-stylesheet?>), which can be XSLT"))
    for element in root.iter():
        if not isinstance(element.tag, str):
            if isinstance(element, etree._Entity):
                found.append((element.sourceline or 1, f"uses the entity &{element.name};"))
            continue
        name, line = _local(element.tag), element.sourceline or 1
        if name in _SCRIPTING:
            found.append((line, f"has a <{etree.QName(element.tag).localname}> element"))
        for attribute, value in element.attrib.items():
            key, url = _local(attribute), _squeezed(value)
            if key.startswith("on"):
                found.append((line, f'has an event handler attribute ({key}="...")'))
            elif _SCRIPT_URL.match(url):
                found.append((line, f"has a {url.split(':', 1)[0].lower()}: URL in {key}"))
            elif key == "href" and _DATA_URL.match(url) and name not in _IMAGE_ELEMENTS:
                found.append((line, f"has a data: URL in the href of <{name}>"))
            elif name in _ANIMATIONS and key == "attributename" and _local(value.strip()) == "href":
                found.append((line, f"animates a link target (<{name} attributeName=\"{value}\">)"))
    return found


def page_runs_script(data: bytes) -> bool:
    """Whether an HTML, XHTML or XML file holds a script element, an event handler or a javascript: URL."""
    return bool(_PAGE_SCRIPT.search(data))


def is_page(name: str) -> bool:
    return name.lower().endswith(PAGE_SUFFIXES)


LAUNCHES = ("//*[local-name()='resource']/@href | //*[local-name()='url']/text()"
            " | //*[local-name()='launch']/text()")
"""What a descriptor launches: its pages are meant to run script; other pages and SVG are not."""
MAX_CHECKED = 20 << 20
"""Members larger than this (20 MiB) are not read for script."""


def check_members(zf, names: list[str], roots: list, findings) -> None:
    """``elearn validate``: scripted SVG in any package is an error, an HTML, XHTML or XML member that runs
    script and that no descriptor launches a warning (both run in the LMS's origin when opened)."""
    launched = {str(ref).strip().split("?", 1)[0].split("#", 1)[0] for root in roots for ref in root.xpath(LAUNCHES)}
    launches_found = bool(launched) and launched <= set(names)  # else that is the problem reported
    for name in names:
        lower = name.lower()
        if not (lower.endswith(".svg") or is_page(lower)) or name in launched or "/" not in name and \
                lower in descriptors():
            continue
        info = zf.getinfo(name)
        if info.file_size > MAX_CHECKED:
            continue
        try:
            data = zf.read(name)
        except Exception:  # reported by the integrity check
            continue
        if lower.endswith(".svg"):
            for line, what in svg_problems(data):
                findings.error(name, "media.scripted-svg", f'"{name}" {what}: opened from the package it runs '
                                                            "script in the LMS's origin", line)
        elif launches_found and page_runs_script(data):
            findings.warning(name, "media.scripted-page", f'"{name}" runs script and is not what the package '
                                                           "launches: opened from the package it runs in the LMS's "
                                                           "origin with the learner's session")
