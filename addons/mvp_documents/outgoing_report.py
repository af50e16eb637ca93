# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateReport, StateView, Wizard

from .exceptions import OutgoingError
from .role import has_agency_role
from .protection import refuse
from .outgoing_print import (
    DraftPrint, render_draft_pdf, render_register_pdf, render_register_xlsx)

REGISTER_STATES = ['numbered', 'released', 'recalled', 'replaced']


def _date(value):
    return value.strftime('%d/%m/%Y') if value else ''


def _msg(name, **kwargs):
    return gettext(f'mvp_documents.msg_outgoing_print_{name}', **kwargs)


def _subject(outgoing):
    "The subject, or only a label for a classified document"
    if outgoing.classified or not outgoing.subject:
        return gettext('mvp_documents.msg_outgoing_classified_name')
    return outgoing.subject


def check_register_reader(company):
    """Refuse unless the user is a clerk or a leader of company: the
    register is the clerk's book (the ids come from the client)"""
    pool = Pool()
    User = pool.get('res.user')
    if not Transaction().user:
        return
    if (company.id in User.get_companies()
            and has_agency_role(
                company, 'group_mvp_clerk', 'group_mvp_leader')):
        return
    refuse('mvp_documents.msg_outgoing_print_not_your_agency', [company],
        fields={'company'}, error=OutgoingError, agency=company.rec_name)


class OutgoingDraftReport(Report):
    "Printed Draft"
    __name__ = 'mvp.outgoing.draft'

    @classmethod
    def _execute(cls, records, header, data, action):
        outgoing, = records
        return 'pdf', render_draft_pdf(cls.draft_print(outgoing))

    @classmethod
    def draft_print(cls, outgoing):
        pool = Pool()
        Approval = pool.get('mvp.outgoing.approval')
        roles = dict(Approval.fields_get(['role'])['role']['selection'])
        company = outgoing.company
        abbreviation = outgoing.document_type.abbreviation
        short_name = company.short_name or ''
        symbol = (f'{abbreviation}-{short_name}' if abbreviation
            else f'{short_name}-{outgoing.department.code or ""}')
        notation = outgoing.notation or f'…/{symbol}'
        initials = [
            (roles.get(a.role) or '', a.employee_name or '',
                a.position or '', a.date.strftime('%d/%m/%Y %H:%M'))
            for a in outgoing.approvals
            if a.kind == 'initial' and a.version == outgoing.draft_version]
        labels = {k: _msg(k) for k in [
                'draft', 'nation', 'motto', 'recipients', 'initials', 'role',
                'name', 'position', 'date', 'no_initials']}
        return DraftPrint(
            agency=company.rec_name,
            parent_agency=company.parent.rec_name if company.parent else '',
            notation=_msg('number', notation=notation),
            place_date=_msg('place_date'),
            type_name=outgoing.document_type.rec_name,
            subject=_subject(outgoing),
            recipients=[r.rec_name for r in outgoing.recipients],
            signer_position=(outgoing.signer.position or ''
                if outgoing.signer else ''),
            signer_name=(outgoing.signer.party.name
                if outgoing.signer else ''),
            version=outgoing.draft_version,
            initials=initials,
            labels=labels)


class OutgoingRegisterReport(Report):
    "Outgoing Register"
    __name__ = 'mvp.outgoing.register'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Company = pool.get('company.company')
        company = Company(int(data['company']))
        check_register_reader(company)
        title = _msg('register_title')
        subtitle = _msg('register_period', agency=company.rec_name,
            start=_date(data['from_date']), end=_date(data['to_date']))
        headers = [_msg(f'register_column_{i}') for i in range(1, 11)]
        rows = cls.rows(company, data['from_date'], data['to_date'])
        if data.get('format') == 'xlsx':
            return 'xlsx', render_register_xlsx(title, subtitle, headers, rows)
        return 'pdf', render_register_pdf(title, subtitle, headers, rows)

    @classmethod
    def rows(cls, company, from_date, to_date):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        # The whole register of the agency: its clerks and leaders
        # (check_register_reader) print every entry, classified ones with
        # their metadata only
        with without_check_access():
            outgoings = Outgoing.search([
                    ('company', '=', company.id),
                    ('issue_date', '>=', from_date),
                    ('issue_date', '<=', to_date),
                    ('state', 'in', REGISTER_STATES),
                    ], order=[('issue_date', 'ASC'), ('number', 'ASC')])
            return [cls.row(o) for o in outgoings]

    @classmethod
    def row(cls, outgoing):
        notes = []
        if outgoing.state in {'recalled', 'replaced'}:
            notes.append(outgoing.recall_reason or '')
        if outgoing.replaces:
            notes.append(_msg('replaces', notation=outgoing.replaces.notation))
        return [
            outgoing.notation,
            _date(outgoing.issue_date),
            f'{outgoing.document_type.rec_name}: {_subject(outgoing)}',
            outgoing.signer_name or (
                outgoing.signer.rec_name if outgoing.signer else ''),
            '; '.join(r.rec_name for r in outgoing.recipients),
            outgoing.department.rec_name,
            str(outgoing.copies or ''),
            _date(outgoing.release_date),
            '',
            ' '.join(notes),
            ]


class OutgoingRegisterPrint(Wizard):
    "Print Outgoing Register"
    __name__ = 'mvp.outgoing.register.print'
    start = StateView('mvp.outgoing.register.print.start',
        'mvp_documents.outgoing_register_print_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('mvp.outgoing.register')

    def do_print_(self, action):
        check_register_reader(self.start.company)
        return action, {
            'company': self.start.company.id,
            'from_date': self.start.from_date,
            'to_date': self.start.to_date,
            'format': self.start.format,
            }


class OutgoingRegisterPrintStart(ModelView):
    __string__ = "Print Outgoing Register"
    __name__ = 'mvp.outgoing.register.print.start'
    company = fields.Many2One(
        'company.company', "Agency", required=True,
        domain=[('id', If(Eval('context', {}).contains('company'), '=', '!='),
                Eval('context', {}).get('company', -1))])
    from_date = fields.Date("From Date", required=True,
        domain=[('from_date', '<=', Eval('to_date'))])
    to_date = fields.Date("To Date", required=True)
    format = fields.Selection([
            ('pdf', "PDF"),
            ('xlsx', "Excel (.xlsx)"),
            ], "Format", required=True)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_from_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today().replace(month=1, day=1)

    @classmethod
    def default_to_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today()

    @classmethod
    def default_format(cls):
        return 'pdf'
