# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Telling people: in the web client and by e-mail, written once.

Every module notifies through notify(), so that a later rule (a user's
choice of e-mail or not, never the content of a classified document)
holds everywhere at once.
"""
from email.message import EmailMessage

from trytond import config
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.sendmail import send_message_transactional
from trytond.transaction import Transaction, without_check_access


def notify(users, subject, body, records=None, description=None,
        attachments=None):
    """Notify users in the client and by e-mail (sent on commit)

    records, when given, are the documents the notification opens;
    description is the client's text (default: the body; its lines are
    joined in one); the e-mail carries the whole body and the
    attachments, a list of (filename, mimetype, bytes).  Only the users
    who keep notify_by_email get the e-mail.
    """
    notify_many([(users, subject, body, records, description, attachments)])


def notify_many(messages):
    """notify() for each (users, subject, body, records, description,
    attachments) of messages, with one create of the client's
    notifications (a release to 400 agencies tells all their clerks)"""
    pool = Pool()
    Notification = pool.get('res.notification')
    vlist, emails = [], []
    for users, subject, body, records, description, attachments in messages:
        users = sorted({u for u in users if u.active}, key=lambda u: u.id)
        model = ids = None
        if records:
            model = records[0].__name__
            ids = str([r.id for r in records])
        if description is None:
            description = body
        # the client's text is one line
        description = ' / '.join(filter(None, description.splitlines()))
        vlist.extend({
                'user': u.id,
                'label': subject,
                'description': description,
                'model': model,
                'records': ids,
                } for u in users)
        emails.extend(([u.email], subject, body, attachments)
            for u in users if u.email and u.notify_by_email)
    if vlist:
        with without_check_access():
            Notification.create(vlist)
    for to_addrs, subject, body, attachments in emails:
        send_email(to_addrs, subject, body, attachments=attachments)


def notify_each(users, compose, records=None, attachments=None):
    """Notify each user in the user's own language (Vietnamese when not
    set): compose() runs with that language in the context and returns
    the subject, the body and the client's description"""
    for user in users:
        language = user.language.code if user.language else 'vi'
        with Transaction().set_context(language=language):
            subject, body, description = compose()
        notify([user], subject, body, records=records,
            description=description, attachments=attachments)


def province_admin_users():
    """Return the users of the provincial administrators' group, who are
    told of what threatens every agency (an infected file, a damaged
    store)"""
    pool = Pool()
    Group = pool.get('res.group')
    ModelData = pool.get('ir.model.data')
    return Group(ModelData.get_id(
            'mvp_documents', 'group_mvp_province_admin')).users


def send_email(to_addrs, subject, body, attachments=None):
    """Send a plain text e-mail when the transaction commits, with the
    attachments (filename, mimetype, bytes); the mimetype may carry
    parameters: 'text/calendar; method=REQUEST'"""
    from_addr = config.get('email', 'from')
    message = EmailMessage()
    if from_addr:
        message['From'] = from_addr
    message['To'] = ', '.join(to_addrs)
    message['Subject'] = subject
    message.set_content(body)
    for filename, mimetype, data in attachments or []:
        mimetype, *parameters = [p.strip() for p in mimetype.split(';')]
        maintype, subtype = mimetype.split('/')
        message.add_attachment(data, maintype, subtype, filename=filename,
            params=dict(p.split('=', 1) for p in parameters if p))
    send_message_transactional(message, from_addr, list(to_addrs))


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    notify_by_email = fields.Boolean(
        "Notifications by E-mail",
        help="Also send my notifications by e-mail, not only in the web "
        "client.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # each user chooses it in their own preferences
        cls._preferences_fields.append('notify_by_email')

    @classmethod
    def default_notify_by_email(cls):
        return True
