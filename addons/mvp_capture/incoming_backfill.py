# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.mvp_documents.file import over_limit
from trytond.modules.mvp_documents.file_limits import LimitExceeded
from trytond.modules.mvp_documents.register_print import (
    checked_register, utc_datetime)
from trytond.modules.mvp_documents.unicode import fold
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .backfill import read_log, template_xlsx
from .exceptions import CaptureError
from .heading import normalise_name

TEMPLATE_NAME = 'so-van-ban-den-mau.xlsx'


class IncomingBackfillStart(ModelView):
    "Back-fill Incoming Register"
    __name__ = 'mvp.incoming.backfill.start'
    __string__ = "Back-fill Incoming Register"
    company = fields.Many2One('company.company', "Agency", required=True)
    register = fields.Many2One(
        'mvp.register', "Register", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('kind', '=', 'incoming'),
            ])
    template = fields.Binary(
        "Template", readonly=True, filename='template_name',
        help="Download this spreadsheet, type the paper log into it "
        "and upload it below.")
    template_name = fields.Char("Template Name", readonly=True)
    data = fields.Binary("Paper Log", required=True, filename='data_name')
    data_name = fields.Char("File Name")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_template(cls):
        return template_xlsx()

    @classmethod
    def default_template_name(cls):
        return TEMPLATE_NAME


class IncomingBackfillDone(ModelView):
    "Back-fill Incoming Register"
    __name__ = 'mvp.incoming.backfill.done'
    __string__ = "Back-fill Incoming Register"
    report = fields.Text("Report", readonly=True)
    incomings = fields.Many2Many(
        'mvp.incoming', None, None, "Documents", readonly=True)


class IncomingBackfill(Wizard):
    "Back-fill Incoming Register"
    __name__ = 'mvp.incoming.backfill'
    start = StateView(
        'mvp.incoming.backfill.start',
        'mvp_capture.incoming_backfill_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    done = StateView(
        'mvp.incoming.backfill.done',
        'mvp_capture.incoming_backfill_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_import_(self):
        # the register comes from the form: only a clerk's own agency's
        register = checked_register(
            self.start.register.id, 'group_mvp_clerk')
        try:
            self._incomings = import_log(register, bytes(self.start.data))
        except LimitExceeded as exception:
            raise over_limit(self.start.data_name, exception) from exception
        return 'done'

    def default_done(self, fields):
        incomings = getattr(self, '_incomings', None) or []
        numbers = [i.arrival_number for i in incomings]
        return {
            'report': gettext(
                'mvp_capture.msg_backfill_done', count=len(incomings),
                first='%02d' % min(numbers) if numbers else '',
                last='%02d' % max(numbers) if numbers else ''),
            'incomings': [i.id for i in incomings],
            }


def _error_text(error):
    if error.code in {'file', 'headings', 'empty'}:
        return gettext('mvp_capture.msg_backfill_%s' % error.code)
    return gettext(
        'mvp_capture.msg_backfill_row',
        row=error.row, column=error.column or '',
        error=gettext('mvp_capture.msg_backfill_%s' % error.code,
            value=error.value))


def import_log(register, data):
    """Register every row of the paper log in register, or none

    Raise CaptureError listing every problem by row when any row is
    wrong; the transaction is then rolled back so nothing is imported.
    """
    pool = Pool()
    Incoming = pool.get('mvp.incoming')
    rows, errors = read_log(data)
    problems = [_error_text(e) for e in errors]
    company = register.company
    lookup = _Lookup(company)
    incomings = []
    now = datetime.datetime.now()
    for row in rows:
        values = dict(row.values)
        row_problems = []
        number = values.pop('arrival_number', None)
        type_name = values.pop('document_type', None)
        issuer = values.pop('issuer', None)
        document_type = lookup.document_type(type_name) if type_name else None
        if type_name and not document_type:
            row_problems.append(('Loại văn bản', gettext(
                        'mvp_capture.msg_backfill_type', value=type_name)))
        arrival = values.get('arrival_date')
        if arrival:
            values['arrival_date'] = utc = utc_datetime(
                company, arrival.date()) + (
                arrival - datetime.datetime.combine(
                    arrival.date(), datetime.time()))
            if utc > now:
                row_problems.append(('Ngày giờ đến', gettext(
                            'mvp_capture.msg_backfill_future')))
            for key, column in [('deadline', 'Hạn giải quyết')]:
                if values.get(key) and values[key] < arrival.date():
                    row_problems.append((column, gettext(
                                'mvp_capture.msg_backfill_before_arrival')))
            if values.get('issue_date') and (
                    values['issue_date'] > arrival.date()):
                row_problems.append(('Ngày văn bản', gettext(
                            'mvp_capture.msg_backfill_after_arrival')))
        for column, text in row_problems:
            problems.append(gettext(
                    'mvp_capture.msg_backfill_row', row=row.row,
                    column=column, error=text))
        if row_problems or errors:
            continue
        agency = lookup.agency(issuer)
        values.update({
                'company': company.id,
                'register': register.id,
                'channel': 'paper',
                'document_type': document_type.id if document_type else None,
                'issuer': agency.id if agency else None,
                'issuer_name': None if agency else issuer,
                })
        try:
            incoming, = Incoming.create([values])
            with Transaction().set_context(_mvp_skip_duplicates=True):
                Incoming.register_arrival([incoming])
        except UserError as exception:
            problems.append(gettext(
                    'mvp_capture.msg_backfill_row', row=row.row,
                    column='', error=exception.message))
            continue
        if number is not None and number != incoming.arrival_number:
            problems.append(gettext(
                    'mvp_capture.msg_backfill_row', row=row.row,
                    column='Số đến', error=gettext(
                        'mvp_capture.msg_backfill_number', value=number,
                        number=incoming.arrival_number)))
        incomings.append(incoming)
    if problems:
        raise CaptureError(gettext(
                'mvp_capture.msg_backfill_failed',
                count=len(problems), problems='\n'.join(problems[:200])))
    return incomings


class _Lookup:
    "Find document types and agencies by the names clerks type"

    def __init__(self, company):
        pool = Pool()
        DocumentType = pool.get('mvp.document.type')
        Company = pool.get('company.company')
        self.types = {}
        for type_ in DocumentType.search([]):
            for key in [type_.name, type_.code, type_.abbreviation]:
                if key:
                    self.types.setdefault(_key(key), type_)
        self.agencies = {}
        for agency in Company.search([]):
            for key in [agency.rec_name, getattr(agency, 'short_name', None)]:
                if key:
                    self.agencies.setdefault(normalise_name(key), agency)

    def document_type(self, name):
        return self.types.get(_key(name))

    def agency(self, name):
        return self.agencies.get(normalise_name(name or ''))


def _key(value):
    return ' '.join(fold(value).replace('_', ' ').split())
