"""XSD validation of a package descriptor against the official schema sets, offline, with lxml."""
from __future__ import annotations

import functools
from copy import deepcopy
from pathlib import Path

from lxml import etree

NS = {
    "scorm12": [("http://www.imsproject.org/xsd/imscp_rootv1p1p2", "scorm12/imscp_rootv1p1p2.xsd"),
                ("http://www.adlnet.org/xsd/adlcp_rootv1p2", "scorm12/adlcp_rootv1p2.xsd")],
    "scorm2004": [("http://www.imsglobal.org/xsd/imscp_v1p1", "scorm2004_4th/imscp_v1p1.xsd"),
                  ("http://www.adlnet.org/xsd/adlcp_v1p3", "scorm2004_4th/adlcp_v1p3.xsd"),
                  ("http://www.adlnet.org/xsd/adlseq_v1p3", "scorm2004_4th/adlseq_v1p3.xsd"),
                  ("http://www.adlnet.org/xsd/adlnav_v1p3", "scorm2004_4th/adlnav_v1p3.xsd"),
                  ("http://www.imsglobal.org/xsd/imsss", "scorm2004_4th/imsss_v1p0.xsd"),
                  ("http://ltsc.ieee.org/xsd/LOM", "scorm2004_4th/lom.xsd")],
    "cmi5": [("https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd", "cmi5/CourseStructure.xsd")],
    "tincan": [("http://projecttincan.com/tincan.xsd", "tincan/tincan.xsd")],
}
"""Per format, the (namespace, file in the schema folder) pairs one driver schema imports."""

XML_XSD = "scorm2004_4th/xml.xsd"
"""The W3C schema of the xml: attributes. It stands in for the remote copy imscp_v1p1.xsd imports, and
for SCORM 1.2's ims_xml.xsd, which binds the default namespace to the XML namespace (not allowed by
Namespaces in XML, so libxml2 refuses to compile it)."""

_REMOTE_XML = ("http://www.w3.org/2001/xml.xsd", "https://www.w3.org/2001/xml.xsd", "http://www.w3.org/2001/03/xml.xsd")


class SchemaUnavailable(Exception):
    """The schema folder lacks the set a format needs, or the set does not compile."""


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)


class _LocalResolver(etree.Resolver):
    """Serves xml.xsd locally; everything else resolves on disk, and the network is never used."""

    def __init__(self, folder: Path):
        super().__init__()
        self.xml_xsd = folder / XML_XSD

    def resolve(self, url, pubid, context):
        if (url in _REMOTE_XML or url.endswith("/ims_xml.xsd") or url == "ims_xml.xsd") and self.xml_xsd.is_file():
            return self.resolve_filename(str(self.xml_xsd), context)
        return None


@functools.lru_cache(maxsize=8)
def compiled(folder: Path, kind: str) -> etree.XMLSchema:
    """The compiled schema set of ``kind`` (``scorm12``, ``scorm2004``, ``cmi5``, ``tincan``), cached."""
    missing = [rel for _, rel in NS[kind] if not (folder / rel).is_file()]
    if missing:
        raise SchemaUnavailable(f'the schema folder "{folder}" has no {", ".join(missing)}')
    imports = "".join(f'<xs:import namespace="{ns}" schemaLocation="{(folder / rel).resolve().as_uri()}"/>'
                      for ns, rel in NS[kind])
    driver = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    parser = _safe_parser()
    parser.resolvers.add(_LocalResolver(folder))
    try:
        return etree.XMLSchema(etree.fromstring(driver.encode(), parser, base_url=(folder / "driver.xsd").as_uri()))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        raise SchemaUnavailable(f"the {kind} schema set in \"{folder}\" does not compile: {exc}") from None


IMSMD12 = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"


def _without_imsmd(doc: etree._ElementTree) -> tuple[etree._ElementTree, int]:
    """A copy of a SCORM 1.2 manifest without its IMS MD 1.2.1 metadata (libxml2 cannot compile that
    schema: it breaks Unique Particle Attribution), and how many metadata blocks were left out."""
    copy = deepcopy(doc)
    tops = [e for e in copy.getroot().iter(f"{{{IMSMD12}}}*")
            if not e.getparent().tag.startswith(f"{{{IMSMD12}}}")]
    for element in tops:
        element.getparent().remove(element)
    dropped = len(tops)
    return copy, dropped


def schema_errors(folder: Path, kind: str, doc: etree._ElementTree) -> tuple[list[tuple[int, str]], list[str]]:
    """((line, message) of every XSD violation in ``doc``, notes); raises SchemaUnavailable when it cannot check."""
    schema = compiled(Path(folder).resolve(), kind)
    notes = []
    if kind == "scorm12" and doc.getroot().find(f".//{{{IMSMD12}}}*") is not None:
        doc, dropped = _without_imsmd(doc)
        notes.append(f"{dropped} inline IMS MD 1.2.1 metadata block(s) not checked against their XSD "
                     "(libxml2 cannot compile imsmd_rootv1p2p1.xsd)")
    schema.validate(doc)
    return [(error.line, error.message) for error in schema.error_log], notes
