# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The follow-up register of incoming documents (sổ theo dõi giải quyết
văn bản đến, Decree 30/2020 Phụ lục IV): for each document of an incoming
register entered in a period, who leads its handling, by when, how far it
is and the reply, as PDF and .xlsx through :mod:`.tables`, beside the
arrival register of :mod:`.register_print`."""
from collections import OrderedDict

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import without_check_access

from .document_type import is_classified
from .register_print import (
    REGISTERED_STATES, IncomingRegisterPrint, _agency_names, local_datetime,
    registered_in_period)
from .tables import Column, Table, table_pdf, table_xlsx

# a cancelled document has nothing left to handle
FOLLOWUP_STATES = [s for s in REGISTERED_STATES if s != 'cancelled']
# the assignments that give work: not proposed, taken back or returned
GIVEN_STATES = {'assigned', 'in_progress', 'done'}
# the outgoing documents that answer: given a number
ANSWER_STATES = ['numbered', 'released']
#: The seven columns of the form: message of the heading, width, kind
COLUMNS = [
    ('number', 5, 'text'),
    ('document', 30, 'text'),
    ('assignees', 15, 'text'),
    ('deadline', 9, 'date'),
    ('progress', 15, 'text'),
    ('answers', 12, 'text'),
    ('notes', 12, 'text'),
    ]


def _msg(name, **kwargs):
    return gettext('mvp_documents.msg_followup_%s' % name, **kwargs)


def _date(value):
    return value.strftime('%d/%m/%Y') if value else ''


class IncomingFollowupPrint(IncomingRegisterPrint):
    "Print Incoming Follow-up Register"
    __name__ = 'mvp.incoming.followup.print'
    # the arrival register's form (an incoming register and a period)
    # and its checks; Wizard.__setup__ copies a state from the first
    # class that defines it, so the reports are changed on the copies

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.pdf_.report_name = 'mvp.incoming.followup.pdf'
        cls.xlsx_.report_name = 'mvp.incoming.followup.xlsx'


class IncomingFollowupPdf(Report):
    "Incoming Follow-up Register"
    __name__ = 'mvp.incoming.followup.pdf'

    @classmethod
    def _execute(cls, records, header, data, action):
        return 'pdf', table_pdf(cls.table(records, data))

    @classmethod
    def table(cls, registers, data):
        "Return the printed Table of the register for the period in data"
        pool = Pool()
        Date = pool.get('ir.date')
        register, start, end, incomings = registered_in_period(
            registers, data, FOLLOWUP_STATES)
        today = Date.today()
        answers = cls.answers(incomings)
        rows, statuses = [], []
        for incoming in incomings:
            row, status = cls.row(incoming, answers.get(incoming.id, []),
                today)
            rows.append(row)
            statuses.append(status)
        agency, parent = _agency_names(register.company)
        return Table(_msg('title'),
            [Column(_msg('column_%s' % name), width, kind)
                for name, width, kind in COLUMNS],
            rows,
            subtitle=[register.rec_name,
                _msg('period', start=_date(start), end=_date(end)),
                _msg('as_of', date=_date(today))],
            agency=agency.upper(), parent_agency=parent.upper(),
            footer=[_msg('summary', total=len(statuses),
                    done=sum(s.startswith('done') for s in statuses),
                    late=statuses.count('done_late'),
                    open=sum(not s.startswith('done') for s in statuses),
                    overdue=statuses.count('overdue'))],
            landscape=True, numbered=True, sheet_name=_msg('sheet'))

    @classmethod
    def answers(cls, incomings):
        "Return the notations of the numbered replies by document id"
        pool = Pool()
        OutgoingIncoming = pool.get('mvp.outgoing-mvp.incoming')
        result = {}
        # the notation of a reply is register metadata, shown to whom
        # may print the register (checked) whatever the reply's rights
        with without_check_access():
            links = OutgoingIncoming.search([
                    ('incoming', 'in', [i.id for i in incomings]),
                    ('outgoing.state', 'in', ANSWER_STATES),
                    ], order=[('outgoing.issue_date', 'ASC'), ('id', 'ASC')])
            for link in links:
                result.setdefault(link.incoming.id, []).append(
                    link.outgoing.notation)
        return result

    @classmethod
    def row(cls, incoming, answers, today):
        """Return the cells of the document's row and its status: done,
        done_late, open or overdue"""
        leads = sorted(
            [a for a in incoming.all_assignments
                if a.role == 'lead' and a.state in GIVEN_STATES],
            key=lambda a: (bool(a.parent), a.id))
        top = [a for a in leads if not a.parent]
        deadline = min((a.deadline for a in top if a.deadline),
            default=None) or incoming.deadline
        progress, status = cls.progress(incoming, top, deadline, today)
        classified = is_classified(incoming.confidentiality)
        if classified:
            notes = '%s: %s' % (incoming.confidentiality_string,
                incoming.paper_holder.rec_name
                if incoming.paper_holder else '-')
        else:
            notes = incoming.notes or ''
        return [
            '%02d' % incoming.arrival_number,
            cls.document(incoming),
            '; '.join(OrderedDict.fromkeys(
                    a.assignee for a in leads if a.assignee)),
            deadline,
            progress,
            '; '.join(filter(None, answers)),
            notes,
            ], status

    @classmethod
    def document(cls, incoming):
        "Type, number and notation, date, issuer and subject (its label)"
        first = [incoming.document_type.name if incoming.document_type
            else '']
        if incoming.notation:
            first.append(_msg('notation', notation=incoming.notation))
        if incoming.issue_date:
            first.append(_msg('dated', date=_date(incoming.issue_date)))
        lines = [' '.join(filter(None, first)), incoming.issuer_label or '',
            incoming.summary or '']
        return '\n'.join(filter(None, lines))

    @classmethod
    def progress(cls, incoming, leads, deadline, today):
        "Return the text of the progress column and the status"
        if incoming.state == 'processed':
            dates = [local_datetime(incoming.company, a.done_date).date()
                for a in leads if a.done_date]
            done = max(dates, default=None)
            if done and deadline and done > deadline:
                return _msg('done_late', date=_date(done),
                    days=(done - deadline).days), 'done_late'
            if done:
                return _msg('done', date=_date(done)), 'done'
            return incoming.state_string, 'done'
        if deadline and deadline < today:
            return _msg('overdue', state=incoming.state_string,
                days=(today - deadline).days), 'overdue'
        return incoming.state_string, 'open'


class IncomingFollowupXlsx(IncomingFollowupPdf):
    "Incoming Follow-up Register"
    __name__ = 'mvp.incoming.followup.xlsx'

    @classmethod
    def _execute(cls, records, header, data, action):
        return 'xlsx', table_xlsx(cls.table(records, data))
