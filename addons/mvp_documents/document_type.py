# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)

# Decree 30/2020 urgency (mức độ khẩn) and edXML OtherInfo/Priority codes
URGENCIES = [
    ('normal', "Normal"),
    ('urgent', "Urgent"),
    ('very_urgent', "Very Urgent"),
    ('flash', "Flash"),
    ]
URGENCY_PRIORITY = {'normal': 0, 'urgent': 1, 'very_urgent': 2, 'flash': 3}
# Độ mật; anything but 'normal' never travels electronically (Art. 5)
CONFIDENTIALITIES = [
    ('normal', "Normal"),
    ('confidential', "Confidential"),
    ('secret', "Secret"),
    ('top_secret', "Top Secret"),
    ]


def is_classified(confidentiality):
    return bool(confidentiality) and confidentiality != 'normal'


class DocumentType(sequence_ordered(), DeactivableMixin, ModelSQL, ModelView):
    "Document Type"
    __name__ = 'mvp.document.type'
    __string__ = "Document Type"
    # The legal Vietnamese names (Decree 30/2020, Art. 7): not translated
    name = fields.Char("Name", required=True)
    code = fields.Char("Code", required=True)
    abbreviation = fields.Char(
        "Abbreviation",
        help="Used in the notation, e.g. TTr in 51/TTr-STTTT; "
        "empty for a công văn.")
    edxml_type = fields.Char(
        "edXML Type", help="DocumentType/Type code sent in edXML packages.")
    legal = fields.Boolean(
        "Requires Original",
        help="The original file must be attached before release "
        "(legal documents, programmes and plans, Article 6.6).")
    complaint = fields.Boolean(
        "Complaint or Denunciation",
        help="Complaints and denunciations are never sent electronically.")
    deadline_normal = fields.Integer(
        "Deadline (working days)",
        help="Default processing deadline for a normal document.")
    deadline_urgent = fields.Integer("Deadline if Urgent (working days)")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'mvp_documents.msg_document_type_code_unique'),
            ]
