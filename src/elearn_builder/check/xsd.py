"""XSD validation of a package descriptor against the official schema sets, offline, with lxml.

Which files make up each standard's set is its record's ``schemas`` (``standards``); this module compiles
them, without the network."""
from __future__ import annotations

from copy import deepcopy
from pathlib import Path

from lxml import etree

from elearn_builder.standards import SchemaSet, registry

XML_XSD = next(f"{s.schemas.folder}/{s.schemas.xml}" for s in registry().values() if s.schemas.xml)
"""The W3C schema of the xml: attributes (SCORM 2004's set holds it). It stands in for the remote copy
imscp_v1p1.xsd imports, and for SCORM 1.2's ims_xml.xsd, which binds the default namespace to the XML
namespace (not allowed by Namespaces in XML, so libxml2 refuses to compile it)."""

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


def compiled(folder: Path, schemas: SchemaSet) -> etree.XMLSchema:
    """The compiled schema set (a standard's ``schemas``) from the schema folder ``folder``. Not kept: compiling
    takes 0.4 to 5 ms a set (SCORM 2004's is the largest), too little for a cache to pay for itself."""
    missing = [rel for rel in schemas.paths() if not (folder / rel).is_file()]
    if missing:
        raise SchemaUnavailable(f'the schema folder "{folder}" has no {", ".join(missing)}')
    imports = "".join(f'<xs:import namespace="{ns}" schemaLocation="{(folder / rel).resolve().as_uri()}"/>'
                      for (ns, _), rel in zip(schemas.imports, schemas.paths()))
    driver = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    parser = _safe_parser()
    parser.resolvers.add(_LocalResolver(folder))
    try:
        return etree.XMLSchema(etree.fromstring(driver.encode(), parser, base_url=(folder / "driver.xsd").as_uri()))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        raise SchemaUnavailable(f"the {schemas.name} schema set in \"{folder}\" does not compile: {exc}") from None


def _without_metadata(doc: etree._ElementTree, namespace: str) -> tuple[etree._ElementTree, int]:
    """A copy of a manifest without its inline metadata in ``namespace`` (SCORM 1.2's IMS MD 1.2.1: libxml2
    cannot compile that schema, it breaks Unique Particle Attribution), and how many blocks were left out."""
    copy = deepcopy(doc)
    tops = [e for e in copy.getroot().iter(f"{{{namespace}}}*")
            if not e.getparent().tag.startswith(f"{{{namespace}}}")]
    for element in tops:
        element.getparent().remove(element)
    dropped = len(tops)
    return copy, dropped


def schema_errors(folder: Path, schemas: SchemaSet, doc: etree._ElementTree) -> tuple[list[tuple[int, str]], list[str]]:
    """((line, message) of every XSD violation in ``doc``, notes); raises SchemaUnavailable when it cannot check."""
    schema = compiled(Path(folder).resolve(), schemas)
    notes = []
    if schemas.metadata and doc.getroot().find(f".//{{{schemas.metadata}}}*") is not None:
        doc, dropped = _without_metadata(doc, schemas.metadata)
        notes.append(f"{dropped} inline IMS MD 1.2.1 metadata block(s) not checked against their XSD "
                     "(libxml2 cannot compile imsmd_rootv1p2p1.xsd)")
    schema.validate(doc)
    return [(error.line, error.message) for error in schema.error_log], notes
