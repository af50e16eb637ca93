# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .calendar import add_working_days
from .document_type import is_classified
from .notification import notify

DUE_STATES = [
    (None, ""),
    ('due_soon', "Due Soon"),
    ('overdue', "Overdue"),
    ]
#: Working days before the deadline when the assignee is reminded
DUE_SOON_DAYS = 2
OPEN_STATES = ['assigned', 'in_progress']
#: Items listed in each section of a digest
DIGEST_LIMIT = 20


def due_state(deadline, today, due_soon_date):
    """Return 'overdue', 'due_soon' or None for a deadline

    due_soon_date is the date DUE_SOON_DAYS working days after today.
    """
    if not deadline:
        return None
    if deadline < today:
        return 'overdue'
    if deadline <= due_soon_date:
        return 'due_soon'
    return None


def document_label(incoming):
    """Name a document in a notification or digest: a classified one
    only as "a classified document" with its number and notation"""
    if not is_classified(incoming.confidentiality):
        return incoming.rec_name
    entry = ' - '.join(filter(None, [
                '%02d' % incoming.arrival_number
                if incoming.arrival_number else None,
                incoming.notation]))
    return gettext('mvp_documents.msg_notify_classified_document',
        entry=entry or str(incoming.id))


class Assignment(metaclass=PoolMeta):
    __name__ = 'mvp.assignment'
    due_state = fields.Selection(
        DUE_STATES, "Due", readonly=True,
        help="Set every morning: due within two working days, or overdue.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.due_state, Index.Equality()),
                where=t.due_state != None))  # noqa: E711

    @classmethod
    def copy(cls, assignments, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('due_state', None)
        return super().copy(assignments, default=default)

    @classmethod
    def check_deadlines(cls, date=None):
        """Mark open assignments due soon or overdue and notify once

        Run every morning by ir.cron.  The assignee is told two working
        days before the deadline; when it passes, the assignee and the
        person who assigned are told.
        """
        pool = Pool()
        Date = pool.get('ir.date')
        today = date or Date.today()
        # Due soon is at most DUE_SOON_DAYS working days ahead, which is
        # never more than a few weeks even around Tết
        horizon = today + datetime.timedelta(days=30)
        open_ = cls.search([
                ('state', 'in', OPEN_STATES),
                ['OR',
                    ('due_state', '!=', None),
                    [('deadline', '!=', None),
                        ('deadline', '<=', horizon)],
                    ],
                ])
        thresholds = {}
        changes = defaultdict(list)
        for assignment in open_:
            company = assignment.company
            if company not in thresholds:
                thresholds[company] = add_working_days(
                    company, today, DUE_SOON_DAYS)
            state = due_state(assignment.deadline, today, thresholds[company])
            if state != assignment.due_state:
                changes[state].append(assignment)
        for state, assignments in changes.items():
            cls.write(assignments, {'due_state': state})
        for assignment in changes.get('due_soon', []):
            assignment._remind('due_soon')
        for assignment in changes.get('overdue', []):
            assignment._remind('overdue')
        return changes

    def _remind(self, state):
        users = set(self.assignee_users())
        if state == 'overdue' and self.assigner:
            users |= set(self.assigner.users)
        values = {
            'document': document_label(self.incoming),
            'assignee': self.assignee or '',
            'deadline': self.deadline.strftime('%d/%m/%Y'),
            }
        with Transaction().set_context(language='vi'):
            notify(
                users,
                gettext('mvp_documents.msg_reminder_%s_subject' % state,
                    **values),
                gettext('mvp_documents.msg_reminder_%s_body' % state,
                    **values),
                records=[self])

    @classmethod
    def send_digests(cls, date=None):
        """Send each leader the morning digest of the agency

        New documents waiting for the leader, work due soon and overdue
        work (run every morning by ir.cron after check_deadlines).
        """
        pool = Pool()
        Company = pool.get('company.company')
        Employee = pool.get('company.employee')
        Incoming = pool.get('mvp.incoming')
        Date = pool.get('ir.date')
        today = date or Date.today()
        sent = []
        for company in Company.search([]):
            leaders = Employee.assigners(company)
            if not leaders:
                continue
            due = cls.search([
                    ('company', '=', company.id),
                    ('state', 'in', OPEN_STATES),
                    ('due_state', '=', 'due_soon'),
                    ], order=[('deadline', 'ASC')])
            late = cls.search([
                    ('company', '=', company.id),
                    ('state', 'in', OPEN_STATES),
                    ('deadline', '<', today),
                    ], order=[('deadline', 'ASC')])
            for leader in leaders:
                new = Incoming.search([
                        ('company', '=', company.id),
                        ('state', '=', 'submitted'),
                        ('submitted_to', 'in', [None, leader.id]),
                        ], order=[('arrival_date', 'ASC')])
                if not (new or due or late):
                    continue
                with Transaction().set_context(language='vi'):
                    subject, body = cls._digest(
                        leader, today, new, due, late)
                cls._send_digest(leader, subject, body)
                sent.append(leader)
        return sent

    @classmethod
    def _send_digest(cls, leader, subject, body):
        "Notify in the client (the subject) and by e-mail (the whole digest)"
        notify(leader.users, subject, body,
            description=body.splitlines()[0])

    @classmethod
    def _digest(cls, leader, today, new, due, late):
        def lines(records, describe):
            result = ['- ' + describe(r) for r in records[:DIGEST_LIMIT]]
            if len(records) > DIGEST_LIMIT:
                result.append(gettext(
                        'mvp_documents.msg_digest_more',
                        count=len(records) - DIGEST_LIMIT))
            return result

        def assignment(record):
            return '%s: %s (%s)' % (
                record.deadline.strftime('%d/%m/%Y'), record.assignee or '',
                document_label(record.incoming))

        subject = gettext(
            'mvp_documents.msg_digest_subject',
            date=today.strftime('%d/%m/%Y'), new=len(new), due=len(due),
            late=len(late))
        body = [gettext('mvp_documents.msg_digest_greeting',
                leader=leader.rec_name), '']
        for message, records, describe in [
                ('msg_digest_new', new, document_label),
                ('msg_digest_due', due, assignment),
                ('msg_digest_late', late, assignment)]:
            body.append(gettext(
                    'mvp_documents.' + message, count=len(records)))
            body.extend(lines(records, describe))
            body.append('')
        return subject, '\n'.join(body).strip()
