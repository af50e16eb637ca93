# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
import io
from collections import OrderedDict

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.report import Report
from trytond.tools import timezone as tz
from trytond.transaction import Transaction, check_access
from trytond.wizard import Button, StateReport, StateView, Wizard

from .document_type import is_classified
from .exceptions import DocumentError
from .incoming import has_agency_role
from .protection import refuse
from .register_book import (
    Instruction, RegisterBook, RegisterRow, Slip, register_pdf,
    register_xlsx, slip_pdf)

REGISTERED_STATES = [
    'registered', 'submitted', 'assigned', 'processing', 'processed',
    'cancelled']


def local_datetime(company, value):
    "Return the UTC datetime value in the agency's time zone, naive"
    if value is None:
        return None
    zone = tz.get_tzinfo(company.timezone) if (
        company and company.timezone) else tz.SERVER
    return value.replace(tzinfo=tz.UTC).astimezone(zone).replace(tzinfo=None)


def utc_datetime(company, date):
    "Return the UTC naive datetime of midnight of date in the agency"
    zone = tz.get_tzinfo(company.timezone) if (
        company and company.timezone) else tz.SERVER
    local = datetime.datetime.combine(date, datetime.time()).replace(
        tzinfo=zone)
    return local.astimezone(tz.UTC).replace(tzinfo=None)


def checked_register(register_id, *roles):
    """Return the register of register_id, read with the user's rights,
    when it is an incoming register of the agency the user works in and
    they hold one of the roles there; refuse it otherwise.

    Wizards and reports run without access checks on the ids their form
    or data give: nothing there is trusted.
    """
    pool = Pool()
    Register = pool.get('mvp.register')
    register = Register(int(register_id))
    if Transaction().user == 0:
        return register
    with check_access():
        Register.read([register.id], ['id'])
    if register.kind != 'incoming' or not has_agency_role(
            register.company, *roles):
        refuse('mvp_documents.msg_incoming_wizard_agency', [register],
            fields={'register'}, register=register.rec_name)
    return register


def registered_in_period(registers, data, states=REGISTERED_STATES):
    """Return the register of a register report, the period of its data
    and the documents entered in it then, in the order of their numbers

    A report is also called on its own, with any register id: the
    register is checked again for the user.
    """
    pool = Pool()
    Date = pool.get('ir.date')
    Incoming = pool.get('mvp.incoming')
    register, = registers
    transaction = Transaction()
    if transaction.user and transaction.check_access:
        register = checked_register(
            register.id, 'group_mvp_clerk', 'group_mvp_leader')
    company = register.company
    today = Date.today()
    start = _date(data.get('start_date')) or today.replace(month=1, day=1)
    end = _date(data.get('end_date')) or today
    if end < start:
        raise DocumentError(gettext(
                'mvp_documents.msg_register_print_dates'))
    incomings = Incoming.search([
            ('register', '=', register.id),
            ('arrival_number', '!=', None),
            ('state', 'in', states),
            ('arrival_date', '>=', utc_datetime(company, start)),
            ('arrival_date', '<', utc_datetime(
                    company, end + datetime.timedelta(days=1))),
            ], order=[('year', 'ASC'), ('arrival_number', 'ASC')])
    return register, start, end, incomings


def _agency_names(company):
    parent = getattr(company, 'parent', None)
    return company.rec_name, parent.rec_name if parent else ''


class IncomingRegisterPrintStart(ModelView):
    "Print Incoming Register"
    __name__ = 'mvp.incoming.register.print.start'
    __string__ = "Print Incoming Register"
    company = fields.Many2One('company.company', "Agency", required=True)
    register = fields.Many2One(
        'mvp.register', "Register", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('kind', '=', 'incoming'),
            ])
    start_date = fields.Date(
        "From", required=True,
        domain=[If(Eval('end_date'),
                ('start_date', '<=', Eval('end_date')), ())])
    end_date = fields.Date(
        "To", required=True,
        domain=[If(Eval('start_date'),
                ('end_date', '>=', Eval('start_date')), ())])

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_start_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today().replace(day=1)

    @classmethod
    def default_end_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today()


class IncomingRegisterPrint(Wizard):
    "Print Incoming Register"
    __name__ = 'mvp.incoming.register.print'
    start = StateView(
        'mvp.incoming.register.print.start',
        'mvp_documents.incoming_register_print_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Spreadsheet", 'xlsx_', 'tryton-launch'),
            Button("PDF", 'pdf_', 'tryton-print', default=True),
            ])
    pdf_ = StateReport('mvp.incoming.register.pdf')
    xlsx_ = StateReport('mvp.incoming.register.xlsx')

    def default_start(self, fields):
        defaults = {}
        if self.model and self.model.__name__ == 'mvp.register' and (
                self.record):
            defaults['register'] = self.record.id
            defaults['company'] = self.record.company.id
        return defaults

    def _data(self):
        register = checked_register(
            self.start.register.id, 'group_mvp_clerk', 'group_mvp_leader')
        return {
            'model': 'mvp.register',
            'id': register.id,
            'ids': [register.id],
            'start_date': self.start.start_date,
            'end_date': self.start.end_date,
            }

    def do_pdf_(self, action):
        return action, self._data()

    def do_xlsx_(self, action):
        return action, self._data()


class IncomingRegisterPdf(Report):
    "Incoming Register"
    __name__ = 'mvp.incoming.register.pdf'

    @classmethod
    def _execute(cls, records, header, data, action):
        return 'pdf', register_pdf(cls.book(records, data))

    @classmethod
    def book(cls, registers, data):
        "Return the RegisterBook of the register for the period in data"
        register, start, end, incomings = registered_in_period(
            registers, data)
        agency, parent = _agency_names(register.company)
        return RegisterBook(
            agency=agency, parent_agency=parent, register=register.rec_name,
            start_date=start, end_date=end,
            rows=tuple(cls.row(i) for i in incomings))

    @classmethod
    def row(cls, incoming):
        company = incoming.company
        assignments = sorted(
            [a for a in incoming.assignments
                if a.state not in {'draft', 'withdrawn'}],
            key=lambda a: ({'lead': 0, 'coordinate': 1}.get(a.role, 2),
                a.id))
        transfers = [a.assigned_date for a in assignments if a.assigned_date]
        classified = is_classified(incoming.confidentiality)
        # a classified document's row is its entry only (issue 15, item
        # 6): the label instead of a subject, no notes, who holds the paper
        subject = incoming.summary
        if incoming.document_type:
            subject = '%s: %s' % (incoming.document_type.name, subject)
        notes = [incoming.notes or ''] if not classified else [
            '%s: %s' % (incoming.confidentiality_string,
                incoming.paper_holder.rec_name
                if incoming.paper_holder else '-')]
        if incoming.recorded_late and incoming.registered_date:
            notes.insert(0, gettext(
                    'mvp_documents.msg_register_print_late',
                    date=local_datetime(
                        company, incoming.registered_date).strftime(
                        '%d/%m/%Y %H:%M')))
        if incoming.state == 'cancelled':
            notes.insert(0, gettext(
                    'mvp_documents.msg_register_print_cancelled'))
        return RegisterRow(
            arrival_date=local_datetime(company, incoming.arrival_date),
            arrival_number=incoming.arrival_number,
            issuer=incoming.issuer_label or '',
            notation=incoming.notation or '',
            issue_date=incoming.issue_date,
            type_and_subject=subject,
            recipients='; '.join(OrderedDict.fromkeys(
                    a.assignee for a in assignments if a.assignee)),
            transfer_date=local_datetime(company, min(transfers)).date()
            if transfers else None,
            notes='\n'.join(filter(None, notes)))


class IncomingRegisterXlsx(IncomingRegisterPdf):
    "Incoming Register"
    __name__ = 'mvp.incoming.register.xlsx'

    @classmethod
    def _execute(cls, records, header, data, action):
        return 'xlsx', register_xlsx(cls.book(records, data))


class IncomingSlip(Report):
    "Processing Slip"
    __name__ = 'mvp.incoming.slip'

    @classmethod
    def _execute(cls, records, header, data, action):
        from pypdf import PdfReader, PdfWriter
        pdfs = [slip_pdf(cls.slip(r)) for r in records]
        if len(pdfs) == 1:
            return 'pdf', pdfs[0]
        writer = PdfWriter()
        for pdf in pdfs:
            for page in PdfReader(io.BytesIO(pdf)).pages:
                writer.add_page(page)
        buffer = io.BytesIO()
        writer.write(buffer)
        return 'pdf', buffer.getvalue()

    @classmethod
    def slip(cls, incoming):
        "Return the Slip of the incoming document"
        company = incoming.company
        agency, parent = _agency_names(company)
        leader, department, proposals = [], [], []
        for assignment in incoming.all_assignments:
            if assignment.state in {'draft', 'withdrawn'}:
                continue
            target = department if assignment.parent else leader
            target.append(assignment)
        # a classified document's slip names who handles it and when,
        # never the text of instructions, progress or results
        classified = is_classified(incoming.confidentiality)
        for assignment in incoming.all_assignments:
            if classified:
                break
            if assignment.role == 'lead' and assignment.state not in {
                    'draft', 'withdrawn'}:
                proposals.extend(cls._proposals(assignment))
        return Slip(
            agency=agency, parent_agency=parent,
            arrival_number=incoming.arrival_number or '',
            arrival_date=local_datetime(company, incoming.arrival_date),
            issuer=incoming.issuer_label or '',
            notation=incoming.notation or '',
            issue_date=incoming.issue_date,
            subject=incoming.summary,
            leader=cls._instructions(company, leader, classified),
            department=cls._instructions(company, department, classified),
            proposals=tuple(proposals))

    @classmethod
    def _instructions(cls, company, assignments, classified=False):
        "Group assignments given together by one person into instructions"
        groups = OrderedDict()
        for assignment in sorted(
                assignments, key=lambda a: (a.assigned_date
                    or datetime.datetime.max, a.id)):
            date = local_datetime(company, assignment.assigned_date)
            key = (assignment.assigner, date.date() if date else None,
                assignment.parent)
            groups.setdefault(key, []).append(assignment)
        result = []
        for (assigner, date, _), group in groups.items():
            def names(role, group=group):
                return tuple(a.assignee for a in group if a.role == role)
            texts = OrderedDict.fromkeys(
                a.instruction.strip() for a in group
                if a.instruction and not classified)
            result.append(Instruction(
                    author=assigner.rec_name if assigner else '',
                    date=date, text='\n'.join(texts),
                    lead=names('lead'), coordinate=names('coordinate'),
                    inform=names('info'),
                    deadlines=tuple((a.assignee, a.deadline)
                        for a in group if a.deadline)))
        return tuple(result)

    @classmethod
    def _proposals(cls, assignment):
        company = assignment.company
        result = []
        employee = assignment.employee
        author = employee.rec_name if employee else assignment.assignee
        for progress in getattr(assignment, 'progress', []):
            text = getattr(progress, 'description', None) or getattr(
                progress, 'note', None)
            if not text:
                continue
            date = getattr(progress, 'date', None)
            if isinstance(date, datetime.datetime):
                date = local_datetime(company, date)
            result.append(Instruction(author=author, date=date, text=text))
        if assignment.result:
            date = local_datetime(company, assignment.done_date)
            result.append(Instruction(
                    author=author, date=date, text=assignment.result))
        return result


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        return datetime.date.fromisoformat(value[:10])
    return None
