# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Printable tables and metadata indexes of dossiers, without the Pool.

PDF tables (mục lục văn bản, mục lục hồ sơ, lịch công tác tuần) are laid
out by :mod:`.tables`, the writer of every printed table.  The metadata
index follows Phụ lục VI Part II of Decree 30/2020 (I văn bản đi, II văn
bản đến, III hồ sơ) and is checked against ``schema/2/dossier_metadata.xsd``.
"""
import csv
import io
import os
from dataclasses import dataclass, field
from typing import BinaryIO, Iterable, Sequence

from lxml import etree

from . import tables

__all__ = ['DossierMeta', 'DocumentMeta', 'MetadataError', 'table_pdf',
    'metadata_xml', 'metadata_csv', 'metadata_schema', 'validate_metadata',
    'METADATA_NS', 'PERMANENT', 'UNTIL_EXPIRED', 'RESTRICTED', 'PUBLIC']

METADATA_NS = 'urn:mvp-office:dossier:2'
SCHEMA = os.path.join(
    os.path.dirname(__file__), 'schema', '2', 'dossier_metadata.xsd')
# The values the archive expects (Vietnamese whatever the user's language)
PERMANENT = "Vĩnh viễn"
UNTIL_EXPIRED = "Đến khi văn bản hết hiệu lực"
RESTRICTED = "Hạn chế"
PUBLIC = "Công khai"


class MetadataError(Exception):
    """The metadata index does not follow its schema."""


@dataclass
class DocumentMeta:
    """One document of a dossier (Phụ lục VI Part II.I and II.II)."""
    number: int
    """DocOrdinal: order of the document inside the dossier."""
    notation: str = ''
    """Số, ký hiệu as printed (``51/TTr-STTTT``): CodeNumber/CodeNotation."""
    date: str = ''
    """IssuedDate, dd/mm/yyyy."""
    title: str = ''
    """Subject (trích yếu)."""
    pages: int = 0
    files: list = field(default_factory=list)
    """Paths of the document's files inside the export archive."""
    kind: str = ''
    """'outgoing' (văn bản đi), 'incoming' (văn bản đến) or '' for a file,
    note or attachment filed straight into the dossier."""
    type_name: str = ''
    organ_name: str = ''
    language: str = ''
    description: str = ''
    signer_position: str = ''
    signer_name: str = ''
    priority: int | None = None
    """Mức độ khẩn: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc."""
    due_date: str = ''
    to: list = field(default_factory=list)
    """(OrganId, OrganName) of each recipient of an outgoing document."""
    issued_amount: int | None = None
    arrival_date: str = ''
    arrival_number: int | None = None
    to_places: str = ''
    """Units or officials an incoming document was given to."""

    @property
    def code_number(self) -> str:
        "The số of the notation: ``51`` of ``51/TTr-STTTT``"
        number, sep, _ = (self.notation or '').partition('/')
        return number if sep else ''

    @property
    def code_notation(self) -> str:
        "The ký hiệu of the notation: ``TTr-STTTT`` of ``51/TTr-STTTT``"
        number, sep, symbol = (self.notation or '').partition('/')
        return symbol if sep else number


@dataclass
class DossierMeta:
    """Phụ lục VI Part II.III fields of a dossier (hồ sơ)."""
    organ_id: str
    file_catalog: int
    file_notation: str
    title: str
    maintenance: str
    """Vĩnh viễn, ``<n> năm`` or :data:`UNTIL_EXPIRED`."""
    rights: str
    """:data:`RESTRICTED` or :data:`PUBLIC`."""
    creator: str
    language: str
    start_date: str
    end_date: str
    doc_total: int
    page_total: int
    description: str = ''

    @property
    def file_code(self) -> str:
        return '%s.%s.%s' % (self.organ_id, self.file_catalog,
            self.file_notation)


def maintenance(years: int | None, until_expired: bool = False) -> str:
    """Return the Maintenance value of a retention.

    >>> maintenance(None), maintenance(10)
    ('Vĩnh viễn', '10 năm')
    """
    if until_expired:
        return UNTIL_EXPIRED
    return PERMANENT if years is None else '%d năm' % years


def table_pdf(out: BinaryIO, title: str, subtitle: Sequence[str],
        columns: Sequence[tuple[str, float]], rows: Iterable[Sequence],
        landscape: bool = False, footer: Sequence[str] = ()) -> None:
    """Write a PDF table to out (see :func:`.tables.table_pdf`).

    :param columns: (heading, relative width) pairs
    :param rows: cell values, converted with str(); None is blank
    """
    out.write(tables.table_pdf(tables.Table(title,
                [tables.Column(heading, width) for heading, width in columns],
                rows, subtitle=subtitle, landscape=landscape,
                footer=footer)))


def _text(value) -> str:
    return '' if value is None else str(value)


def _elements(parent, pairs) -> None:
    for tag, value in pairs:
        etree.SubElement(parent, tag).text = _text(value)


def _file_code(parent, dossier: DossierMeta) -> None:
    file_code = etree.SubElement(parent, 'FileCode')
    _elements(file_code, [
            ('OrganId', dossier.organ_id),
            ('FileCatalog', dossier.file_catalog),
            ('FileNotation', dossier.file_notation)])


def _signer(parent, document: DocumentMeta) -> None:
    _elements(etree.SubElement(parent, 'SignerInfo'), [
            ('Position', document.signer_position),
            ('FullName', document.signer_name)])


def _outgoing_fields(element, document: DocumentMeta) -> None:
    "Fields 12-16 of a văn bản đi"
    _signer(element, document)
    for organ_id, organ_name in document.to:
        _elements(etree.SubElement(element, 'To'), [
                ('OrganId', organ_id), ('OrganName', organ_name)])
    _elements(element, [
            ('Priority', document.priority),
            ('IssuedAmount', document.issued_amount),
            ('DueDate', document.due_date)])


def _incoming_fields(element, document: DocumentMeta) -> None:
    "Fields 12-16 and 18 of a văn bản đến"
    _elements(element, [
            ('ArrivalDate', document.arrival_date),
            ('ArrivalNumber', document.arrival_number)])
    _signer(element, document)
    _elements(element, [
            ('Priority', document.priority),
            ('ToPlaces', document.to_places),
            ('DueDate', document.due_date)])


def document_element(dossier: DossierMeta,
        document: DocumentMeta) -> etree._Element:
    "Return the Document element of document, fields in the annex's order"
    element = etree.Element('Document')
    _file_code(element, dossier)
    _elements(element, [
            ('DocOrdinal', document.number),
            ('TypeName', document.type_name),
            ('CodeNumber', document.code_number),
            ('CodeNotation', document.code_notation),
            ('IssuedDate', document.date),
            ('OrganName', document.organ_name),
            ('Subject', document.title),
            ('Language', document.language or dossier.language),
            ('PageAmount', document.pages or 0),
            ('Description', document.description)])
    if document.kind == 'outgoing':
        _outgoing_fields(element, document)
    elif document.kind == 'incoming':
        _incoming_fields(element, document)
    for path in document.files:
        etree.SubElement(element, 'File').text = path
    return element


def metadata_xml(out: BinaryIO, dossier: DossierMeta,
        documents: Iterable[DocumentMeta]) -> None:
    """Write the dossier's metadata index (Phụ lục VI) as XML to out.

    Written incrementally, so tens of thousands of documents do not
    build a tree in memory.
    """
    with etree.xmlfile(out, encoding='utf-8') as xf:
        xf.write_declaration()
        with xf.element('Dossier', nsmap={None: METADATA_NS}):
            header = etree.Element('Header')
            _file_code(header, dossier)
            _elements(header, [
                    ('Title', dossier.title),
                    ('Maintenance', dossier.maintenance),
                    ('Rights', dossier.rights),
                    ('Creator', dossier.creator),
                    ('Language', dossier.language),
                    ('StartDate', dossier.start_date),
                    ('EndDate', dossier.end_date),
                    ('DocTotal', dossier.doc_total),
                    ('PageTotal', dossier.page_total),
                    ('Description', dossier.description)])
            for element in header:
                xf.write(element)
            with xf.element('Documents'):
                for document in documents:
                    xf.write(document_element(dossier, document))
                    xf.flush()


_schema: list = []


def metadata_schema() -> etree.XMLSchema:
    "The XSD of the metadata index, shipped in schema/2/"
    if not _schema:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        _schema.append(etree.XMLSchema(etree.parse(SCHEMA, parser)))
    return _schema[0]


def validate_metadata(source: BinaryIO | bytes) -> None:
    """Raise MetadataError unless source is a metadata index valid per its
    schema.  Parsed as a stream: a large index is never held as a tree.
    """
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    # resolve_entities=False would let lxml (5.x) recover from a truncated
    # document; without huge_tree libxml2 bounds entity expansion, and a
    # DTD is refused
    events = etree.iterparse(source, events=('end',),
        schema=metadata_schema(), no_network=True, load_dtd=False)
    try:
        for _, element in events:
            if element.tag == '{%s}Document' % METADATA_NS:
                element.clear(keep_tail=True)
    except etree.XMLSyntaxError as exception:
        raise MetadataError(str(exception)) from exception
    if events.root.getroottree().docinfo.doctype:
        raise MetadataError("A DTD is not allowed in the metadata index.")


CSV_HEADER = ['FileCode', 'Title', 'Maintenance', 'Rights', 'Creator',
    'Language', 'StartDate', 'EndDate', 'DocTotal', 'PageTotal',
    'Description', 'DocOrdinal', 'TypeName', 'CodeNumber', 'CodeNotation',
    'IssuedDate', 'OrganName', 'Subject', 'PageAmount', 'Position',
    'FullName', 'To', 'Priority', 'IssuedAmount', 'ArrivalDate',
    'ArrivalNumber', 'ToPlaces', 'DueDate', 'Files']


def metadata_csv(out: BinaryIO, dossier: DossierMeta,
        documents: Iterable[DocumentMeta]) -> None:
    """Write the metadata index as CSV (UTF-8 with BOM, for spreadsheets).

    The first row after the header describes the dossier, each further
    row one document, in the columns of the XML's elements.
    """
    text = io.TextIOWrapper(out, encoding='utf-8-sig', newline='')
    writer = csv.writer(text)
    writer.writerow(CSV_HEADER)
    writer.writerow([dossier.file_code, dossier.title, dossier.maintenance,
            dossier.rights, dossier.creator, dossier.language,
            dossier.start_date, dossier.end_date, dossier.doc_total,
            dossier.page_total, dossier.description] + [''] * 18)
    for d in documents:
        writer.writerow([dossier.file_code] + [''] * 4
            + [d.language or dossier.language] + [''] * 4
            + [d.description, d.number, d.type_name, d.code_number,
                d.code_notation, d.date, d.organ_name, d.title,
                d.pages or 0, d.signer_position, d.signer_name,
                '; '.join(name for _, name in d.to),
                _text(d.priority), _text(d.issued_amount), d.arrival_date,
                _text(d.arrival_number), d.to_places, d.due_date,
                ' '.join(d.files)])
    text.flush()
    text.detach()
