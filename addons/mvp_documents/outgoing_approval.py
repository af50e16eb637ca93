# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .back_entry import RecordedLateMixin, step_time
from .outgoing import RELEASE_MODES
from .protection import refuse


class OutgoingApproval(RecordedLateMixin, ModelSQL, ModelView):
    __string__ = "Outgoing Document Approval"
    __name__ = 'mvp.outgoing.approval'
    # The history of the approval chain: initials (ký nháy), submission,
    # approval or return by the leader, recall.  Never changed.
    outgoing = fields.Many2One(
        'mvp.outgoing', "Document", required=True, ondelete='CASCADE',
        readonly=True)
    kind = fields.Selection([
            ('initial', "Initialled"),
            ('submit', "Submitted"),
            ('approve', "Approved"),
            ('return', "Returned"),
            ('recall', "Recalled"),
            ('lower', "Confidentiality Lowered"),
            ], "Action", required=True, readonly=True)
    role = fields.Selection([
            (None, ""),
            ('drafter', "Drafter"),
            ('department_head', "Department Head"),
            ('leader', "Leader"),
            ], "Role", readonly=True)
    employee = fields.Many2One(
        'company.employee', "Official", readonly=True, ondelete='RESTRICT')
    employee_name = fields.Char("Name", readonly=True)
    position = fields.Char("Position", readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    date = fields.DateTime("Date", required=True, readonly=True)
    version = fields.Integer("Draft Version", readonly=True)
    reason = fields.Text("Reason", readonly=True)
    release_mode = fields.Selection(
        [(None, "")] + RELEASE_MODES, "Release", readonly=True,
        help="How the approving leader decided the document goes out.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('outgoing')
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def line(cls, outgoing, kind, employee, role=None, reason=None,
            user=None):
        pool = Pool()
        User = pool.get('res.user')
        if user is None and Transaction().user:
            user = User(Transaction().user)
        return cls(
            outgoing=outgoing, kind=kind, role=role, employee=employee,
            employee_name=employee.party.name if employee else (
                user.name if user else None),
            position=employee.position if employee else None,
            user=user, date=step_time(),
            version=outgoing.draft_version, reason=reason)

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        # Written only by the buttons of the document, never by a user
        if external and Transaction().user:
            refuse('mvp_documents.msg_outgoing_approval_history', lines,
                fields=values or ())
