# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Printable tables and metadata indexes of dossiers, without the Pool.

PDF tables (mục lục văn bản, mục lục hồ sơ, lịch công tác tuần) are laid
out by :mod:`.tables`, the writer of every printed table.  The metadata
index follows Phụ lục VI Part II.III of Decree 30/2020.
"""
import csv
import io
from dataclasses import dataclass, field
from typing import BinaryIO, Iterable, Sequence

from lxml import etree

from . import tables

__all__ = ['DossierMeta', 'DocumentMeta', 'table_pdf', 'metadata_xml',
    'metadata_csv', 'METADATA_NS']

METADATA_NS = 'urn:mvp-office:dossier:1'


@dataclass
class DocumentMeta:
    """One document of a dossier, as listed in its table of contents."""
    number: int
    notation: str = ''
    date: str = ''
    title: str = ''
    pages: int = 0
    files: list = field(default_factory=list)
    """Paths of the document's files inside the export archive."""


@dataclass
class DossierMeta:
    """Phụ lục VI Part II.III fields of a dossier (hồ sơ)."""
    organ_id: str
    file_catalog: int
    file_notation: str
    title: str
    maintenance: str
    rights: str
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


def metadata_xml(out: BinaryIO, dossier: DossierMeta,
        documents: Iterable[DocumentMeta]) -> None:
    """Write the dossier's metadata index (Phụ lục VI) as XML to out.

    Written incrementally, so tens of thousands of documents do not
    build a tree in memory.
    """
    with etree.xmlfile(out, encoding='utf-8') as xf:
        xf.write_declaration()
        with xf.element('Dossier', nsmap={None: METADATA_NS}):
            file_code = etree.Element('FileCode')
            for tag, value in [
                    ('OrganId', dossier.organ_id),
                    ('FileCatalog', dossier.file_catalog),
                    ('FileNotation', dossier.file_notation)]:
                etree.SubElement(file_code, tag).text = str(value)
            xf.write(file_code)
            for tag, value in [
                    ('Title', dossier.title),
                    ('Maintenance', dossier.maintenance),
                    ('Rights', dossier.rights),
                    ('Creator', dossier.creator),
                    ('Language', dossier.language),
                    ('StartDate', dossier.start_date),
                    ('EndDate', dossier.end_date),
                    ('DocTotal', dossier.doc_total),
                    ('PageTotal', dossier.page_total),
                    ('Description', dossier.description)]:
                element = etree.Element(tag)
                element.text = '' if value is None else str(value)
                xf.write(element)
            with xf.element('Documents'):
                for document in documents:
                    element = etree.Element('Document')
                    for tag, value in [
                            ('DocOrdinal', document.number),
                            ('CodeNotation', document.notation),
                            ('IssuedDate', document.date),
                            ('Subject', document.title),
                            ('PageAmount', document.pages)]:
                        etree.SubElement(element, tag).text = (
                            '' if value is None else str(value))
                    for path in document.files:
                        etree.SubElement(element, 'File').text = path
                    xf.write(element)
                    xf.flush()


CSV_HEADER = ['FileCode', 'Title', 'Maintenance', 'Rights', 'Creator',
    'Language', 'StartDate', 'EndDate', 'DocTotal', 'PageTotal',
    'Description', 'DocOrdinal', 'CodeNotation', 'IssuedDate', 'Subject',
    'PageAmount', 'Files']


def metadata_csv(out: BinaryIO, dossier: DossierMeta,
        documents: Iterable[DocumentMeta]) -> None:
    """Write the metadata index as CSV (UTF-8 with BOM, for spreadsheets).

    The first row after the header describes the dossier, each further
    row one document.
    """
    text = io.TextIOWrapper(out, encoding='utf-8-sig', newline='')
    writer = csv.writer(text)
    writer.writerow(CSV_HEADER)
    writer.writerow([dossier.file_code, dossier.title, dossier.maintenance,
            dossier.rights, dossier.creator, dossier.language,
            dossier.start_date, dossier.end_date, dossier.doc_total,
            dossier.page_total, dossier.description] + [''] * 6)
    for document in documents:
        writer.writerow([dossier.file_code] + [''] * 10 + [
                document.number, document.notation, document.date,
                document.title, document.pages, ' '.join(document.files)])
    text.flush()
    text.detach()
