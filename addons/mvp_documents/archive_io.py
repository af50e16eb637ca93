# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Printable tables and metadata indexes of dossiers, without the Pool.

PDF tables (mục lục văn bản, mục lục hồ sơ, lịch công tác tuần) are laid
out with reportlab in Liberation Serif (metric-compatible with Times New
Roman, the font of Decree 30/2020), which has the Vietnamese glyphs.  The
metadata index follows Phụ lục VI Part II.III of Decree 30/2020.
"""
import csv
import io
from dataclasses import dataclass, field
from typing import BinaryIO, Iterable, Sequence
from xml.sax.saxutils import escape

from lxml import etree

from .fonts import register_fonts

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


def _register_fonts() -> tuple[str, str]:
    regular, bold, _, _ = register_fonts()
    return regular, bold


def table_pdf(out: BinaryIO, title: str, subtitle: Sequence[str],
        columns: Sequence[tuple[str, float]], rows: Iterable[Sequence],
        landscape: bool = False, footer: Sequence[str] = ()) -> None:
    """Write a PDF table to out.

    :param columns: (heading, relative width) pairs
    :param rows: cell values, converted with str(); None is blank
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pagesizes import landscape as to_landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle)

    regular, bold = _register_fonts()
    pagesize = to_landscape(A4) if landscape else A4
    doc = SimpleDocTemplate(out, pagesize=pagesize,
        leftMargin=20 * mm, rightMargin=15 * mm,
        topMargin=20 * mm, bottomMargin=20 * mm, title=title)
    style = ParagraphStyle('cell', fontName=regular, fontSize=10, leading=12)
    head = ParagraphStyle('head', parent=style, fontName=bold,
        alignment=1)
    big = ParagraphStyle('title', parent=head, fontSize=14, leading=18)
    center = ParagraphStyle('center', parent=style, alignment=1)

    def para(value, st=style):
        return Paragraph(escape('' if value is None else str(value))
            .replace('\n', '<br/>'), st)

    story = [para(title, big)]
    story += [para(line, center) for line in subtitle]
    story.append(Spacer(1, 6 * mm))
    total = sum(w for _, w in columns)
    widths = [doc.width * w / total for _, w in columns]
    data = [[para(h, head) for h, _ in columns]]
    data += [[para(v) for v in row] for row in rows]
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
                ('GRID', (0, 0), (-1, -1), 0.5, colors.black),
                ('VALIGN', (0, 0), (-1, -1), 'TOP'),
                ]))
    story.append(table)
    if footer:
        story.append(Spacer(1, 6 * mm))
        story += [para(line) for line in footer]
    doc.build(story)


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
