# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The security reviews kept by the server: each quarterly account review
and monthly audit review, its PDF and its workbook.

A review is written by the server only (the crons and the wizards) and
read by the administrators it concerns: an agency administrator the
account reviews of their agency, the provincial administrator all of
them (record rules in review.xml).  Reading a review's files is itself
an event of the audit trail, so the files are fields of the review
rather than ``ir.attachment`` rows (whose reads run in read-only
transactions and could not be recorded).
"""
import datetime as dt

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.mvp_documents.notification import notify
from trytond.pool import PoolMeta
from trytond.transaction import Transaction, without_check_access

from .audit import read_write_rpc, record

KINDS = [
    ('account', "Quarterly Account Review"),
    ('audit', "Monthly Audit Review"),
    ]
FILE_FIELDS = {'pdf', 'xlsx'}
PDF = 'application/pdf'
XLSX = ('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')


def quarter_bounds(year, quarter):
    "Return the first and the last day of quarter (1-4) of year"
    start = dt.date(year, 3 * quarter - 2, 1)
    return start, month_bounds(year, 3 * quarter)[1]


def month_bounds(year, month):
    "Return the first and the last day of month of year"
    start = dt.date(year, month, 1)
    following = (start + dt.timedelta(days=31)).replace(day=1)
    return start, following - dt.timedelta(days=1)


def previous_month(today):
    "Return (year, month) of the month before today's"
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.year, last.month


def previous_quarter(today):
    "Return (year, quarter) of the quarter before today's"
    quarter = (today.month - 1) // 3 + 1
    if quarter == 1:
        return today.year - 1, 4
    return today.year, quarter - 1


class Review(ModelSQL, ModelView):
    "Security Review"
    __name__ = 'mvp.security.review'
    __string__ = "Security Review"

    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    agency = fields.Many2One(
        'company.company', "Agency", readonly=True, ondelete='RESTRICT',
        help="Empty for a review of every agency.")
    period_start = fields.Date("From", required=True, readonly=True)
    period_end = fields.Date("To", required=True, readonly=True)
    name = fields.Char("Title", required=True, readonly=True)
    pdf = fields.Binary("PDF", filename='pdf_name', readonly=True)
    pdf_name = fields.Char("PDF File Name", readonly=True)
    xlsx = fields.Binary("Spreadsheet", filename='xlsx_name', readonly=True)
    xlsx_name = fields.Char("Spreadsheet File Name", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('period_start', 'DESC'), ('id', 'DESC')]
        # reading the files writes an audit row
        read_write_rpc(cls.__rpc__, ['read', 'search_read'])

    @classmethod
    def keep(cls, kind, agency, start, end, title, pdf, xlsx, stem):
        "Store a review made by the server and return it"
        with without_check_access(), Transaction().set_user(0):
            review, = cls.create([{
                        'kind': kind,
                        'agency': agency.id if agency else None,
                        'period_start': start,
                        'period_end': end,
                        'name': title,
                        'pdf': pdf,
                        'pdf_name': stem + '.pdf',
                        'xlsx': xlsx,
                        'xlsx_name': stem + '.xlsx',
                        }])
        return review

    def send(self, users, subject, body):
        "Notify users of the review, with its two files attached"
        notify(users, subject, body, records=[self], attachments=[
                (self.pdf_name, PDF, bytes(self.pdf)),
                (self.xlsx_name, XLSX, bytes(self.xlsx)),
                ])

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        transaction = Transaction()
        if (transaction.user and transaction.check_access
                and not transaction.readonly
                and FILE_FIELDS & set(fields_names)):
            for review_id in ids:
                record('review_read',
                    resource='%s,%s' % (cls.__name__, review_id),
                    details=', '.join(sorted(
                            FILE_FIELDS & set(fields_names))))
        return result

    @classmethod
    def send_account_reviews(cls):
        """The cron, on the first day of each month: on the first day of
        a quarter, each agency its review of the quarter before"""
        from .account_review import send_quarterly
        return send_quarterly()

    @classmethod
    def send_audit_review(cls):
        """The cron, on the first day of each month: the provincial
        administrators get the review of the month before"""
        from .audit_review import send_monthly
        return send_monthly()


class Audit(metaclass=PoolMeta):
    __name__ = 'mvp.security.audit'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the events of the reviews, kept with the reviews' code
        cls.event.selection = cls.event.selection + [
            ('export', "Export or print"),
            ('review_read', "Security review read"),
            ]


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection = cls.method.selection + [
            ('mvp.security.review|send_account_reviews',
                "Send the Quarterly Account Reviews"),
            ('mvp.security.review|send_audit_review',
                "Send the Monthly Audit Review"),
            ]
