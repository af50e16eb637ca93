# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Who is told at each step of an outgoing document, and of arrivals.

Each message names the document by its rec_name, which never carries
the subject of a classified document, and carries no other content of
it (the request of a comment, a reason) when it is classified.
"""
from trytond.i18n import gettext

from .document_type import is_classified
from .notification import notify, notify_many
from .role import agencies_role_users, agency_role_users

__all__ = ['tell_head_to_initial', 'tell_signer', 'tell_drafter_returned',
    'tell_clerks_approved', 'tell_reviewers', 'tell_clerks_arrived',
    'tell_recalled', 'tell_recall_answer']


def _users(employees):
    return {u for e in employees if e for u in e.users}


def _reason(document, reason):
    "Return the reason a notification may carry for document"
    if is_classified(document.confidentiality):
        return ''
    return reason or ''


def tell_head_to_initial(outgoings):
    "A draft initialled by its drafter waits for the head's initials"
    for outgoing in outgoings:
        if 'department_head' not in outgoing.missing_initials():
            continue
        notify(_users([outgoing.department.head]),
            gettext('mvp_documents.msg_notify_outgoing_initial_subject',
                outgoing=outgoing.rec_name),
            gettext('mvp_documents.msg_notify_outgoing_initial_body',
                outgoing=outgoing.rec_name,
                drafter=outgoing.drafter.rec_name,
                version=outgoing.draft_version or ''),
            records=[outgoing])


def tell_signer(outgoings):
    "A submitted draft waits for the approving leader"
    for outgoing in outgoings:
        notify(_users([outgoing.signer]),
            gettext('mvp_documents.msg_notify_outgoing_submitted_subject',
                outgoing=outgoing.rec_name),
            gettext('mvp_documents.msg_notify_outgoing_submitted_body',
                outgoing=outgoing.rec_name,
                drafter=outgoing.drafter.rec_name),
            records=[outgoing])


def tell_drafter_returned(outgoings, reason):
    "The leader returned the draft to its drafter"
    for outgoing in outgoings:
        notify(_users([outgoing.drafter]),
            gettext('mvp_documents.msg_notify_outgoing_returned_subject',
                outgoing=outgoing.rec_name),
            gettext('mvp_documents.msg_notify_outgoing_returned_body',
                outgoing=outgoing.rec_name,
                reason=_reason(outgoing, reason)),
            records=[outgoing])


def tell_clerks_approved(outgoings):
    "An approved document waits for the clerk's number and release"
    for outgoing in outgoings:
        notify(agency_role_users(outgoing.company, 'group_mvp_clerk'),
            gettext('mvp_documents.msg_notify_outgoing_approved_subject',
                outgoing=outgoing.rec_name),
            gettext('mvp_documents.msg_notify_outgoing_approved_body',
                outgoing=outgoing.rec_name,
                release_mode=outgoing.release_mode_string),
            records=[outgoing])


def tell_reviewers(comments):
    "A comment is asked of an official, a department or an agency"
    for comment in comments:
        outgoing = comment.outgoing
        notify(_reviewer_users(comment),
            gettext('mvp_documents.msg_notify_comment_requested_subject',
                outgoing=outgoing.rec_name),
            gettext('mvp_documents.msg_notify_comment_requested_body',
                outgoing=outgoing.rec_name,
                agency=outgoing.company.rec_name,
                deadline=comment.deadline.strftime('%d/%m/%Y'),
                request=_reason(outgoing, comment.request)),
            records=[comment])


def _reviewer_users(comment):
    if comment.reviewer_kind == 'employee':
        return _users([comment.reviewer_employee])
    if comment.reviewer_kind == 'department':
        return _users([comment.reviewer_department.head])
    # another agency: its clerks receive what comes from outside
    return agency_role_users(comment.reviewer_agency, 'group_mvp_clerk')


def tell_clerks(incomings, message, values):
    """Tell the clerks of each document's agency: message names the
    subject and body messages (msg_notify_<message>_subject, _body),
    values(incoming) gives the body's values besides the document"""
    clerks = agencies_role_users(
        {i.company for i in incomings}, 'group_mvp_clerk')
    notify_many([(
                clerks.get(incoming.company, ()),
                gettext('mvp_documents.msg_notify_%s_subject' % message,
                    document=incoming.rec_name),
                gettext('mvp_documents.msg_notify_%s_body' % message,
                    document=incoming.rec_name, **values(incoming)),
                [incoming], None, None)
            for incoming in incomings])


def tell_clerks_arrived(incomings):
    "Electronic documents arrived in the agencies' queues"
    tell_clerks(incomings, 'incoming_arrived', lambda incoming: {
            'issuer': incoming.issuer_label or '',
            'urgency': incoming.urgency_string})


def tell_recalled(incomings, reason):
    "The sender asks the agencies that received documents to recall them"
    tell_clerks(incomings, 'incoming_recalled', lambda incoming: {
            'issuer': incoming.issuer_label or '',
            'reason': _reason(incoming, reason)})


def tell_recall_answer(recipient, code, reason):
    """A recipient agreed to (15) or refused (16) the recall of the
    document; its drafter and the clerks of the agency are told"""
    outgoing = recipient.outgoing
    users = (_users([outgoing.drafter])
        | agency_role_users(outgoing.company, 'group_mvp_clerk'))
    message = ('msg_notify_recall_agreed' if code == '15'
        else 'msg_notify_recall_refused')
    notify(users,
        gettext('mvp_documents.%s_subject' % message,
            outgoing=outgoing.rec_name, recipient=recipient.rec_name),
        gettext('mvp_documents.%s_body' % message,
            outgoing=outgoing.rec_name, recipient=recipient.rec_name,
            reason=_reason(outgoing, reason)),
        records=[outgoing])
