"""Control files: the schemas a manifest names in xsi:schemaLocation, with everything they pull in."""
from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

XSI_SCHEMA_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
XS = "http://www.w3.org/2001/XMLSchema"
_REFERENCES = "//xs:include/@schemaLocation | //xs:import/@schemaLocation | //xs:redefine/@schemaLocation"
"""Where a schema names the other schemas it needs."""
_DTD_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_DTD_ENTITY = re.compile(rb"""<!ENTITY\s+%\s*[^\s"']+\s+(?:PUBLIC\s+(?:"[^"]*"|'[^']*')\s*|SYSTEM\s+)"""
                         rb"""(?:"([^"]*)"|'([^']*)')""")


class ControlFileError(Exception):
    """A control file is missing from the schema folder or cannot be read."""


def _parser(recover: bool = False) -> etree.XMLParser:
    return etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False, recover=recover)


def _parse(data: bytes, path: Path) -> etree._ElementTree:
    """Parse a schema without loading anything; tolerate namespace faults (SCORM 1.2's ims_xml.xsd)."""
    try:
        return etree.fromstring(data, _parser()).getroottree()
    except etree.XMLSyntaxError:
        root = etree.fromstring(data, _parser(recover=True))
        if root is None:
            raise ControlFileError(f'control file "{path}" is not XML') from None
        return root.getroottree()


def _dtd_references(data: bytes) -> list[str]:
    """System identifiers of the external parameter entities a DTD declares (e.g. ``datatypes.dtd``)."""
    text = _DTD_COMMENT.sub(b"", data)
    return [(m.group(1) or m.group(2)).decode("utf-8", "replace") for m in _DTD_ENTITY.finditer(text)]


class _Collector:
    """Walks the references from one manifest, reading each control file once."""

    def __init__(self, base: Path):
        self.base = base
        self.files: dict[str, bytes] = {}

    def visit(self, ref: str, from_dir: str, required: bool, named_by: str) -> None:
        """Add the file ``ref`` (relative to ``from_dir`` in the package) and what it references."""
        ref = ref.strip()
        if not ref:
            return
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc:
            # A remote location: never fetched, but a same-named local file of the set is shipped.
            name, required = posixpath.basename(parts.path), False
            if not name:
                return
        else:
            name = posixpath.normpath(posixpath.join(from_dir, parts.path))
            if name.startswith(("../", "/")) or name in ("..", "."):
                raise ControlFileError(f'{named_by} names "{ref}", which is outside the schema folder "{self.base}"')
        if name in self.files:
            return
        path = self.base / name
        if not path.is_file():
            if required:
                raise ControlFileError(f'control file "{path}" (named by {named_by}) not found; '
                                       f"the schema folder must hold the official {self.base.name} schema set")
            return
        data = path.read_bytes()
        self.files[name] = data
        here = posixpath.dirname(name)
        if name.lower().endswith(".dtd"):
            for system_id in _dtd_references(data):
                self.visit(system_id, here, False, name)
            return
        tree = _parse(data, path)
        if tree.docinfo.system_url:  # <!DOCTYPE ... "XMLSchema.dtd">: shipped when present
            self.visit(tree.docinfo.system_url, here, False, name)
        for location in tree.xpath(_REFERENCES, namespaces={"xs": XS}):
            self.visit(location, here, True, name)


def schema_locations(manifest_xml: bytes) -> list[str]:
    """The schema documents named in the root's ``xsi:schemaLocation`` (namespace/location pairs)."""
    try:
        root = etree.fromstring(manifest_xml, _parser())
    except etree.XMLSyntaxError as exc:
        raise ControlFileError(f"the manifest is not well-formed XML: {exc}") from None
    return root.get(XSI_SCHEMA_LOCATION, "").split()[1::2]


def control_files(manifest_xml: bytes, schema_dir: Path, subdir: str) -> dict[str, bytes]:
    """{package path: bytes} of every control file the manifest needs, read unchanged, sorted by path.

    ``schema_dir / subdir`` holds the official schema set; paths are kept relative to it, so files
    land at the package root (``imsss_v1p0.xsd``) or below it (``common/dataTypes.xsd``).
    """
    collector = _Collector(Path(schema_dir) / subdir)
    for location in schema_locations(manifest_xml):
        collector.visit(location, "", True, "imsmanifest.xml")
    return dict(sorted(collector.files.items()))
