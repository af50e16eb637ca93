# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The message bus lets a user listen only to what they may read.

trytond's ``/<database>/bus`` route (trytond/bus.py, checked against
trytond 8.0.11) replaces the ``user:`` channels a client asks for by the
session's own ``user:<id>`` but passes every other channel name to
``Bus.subscribe`` unchecked: with ``[bus] allow_subscribe`` on, any
logged-in user could listen to ``chat:<model>,<id>`` of a document of
another agency, or to ``notification:<id>`` of another user.

``AgencyBus`` accepts a channel only when it belongs to the user or
names a record the user may read; a subscription asking for another is
logged and refused at once (403) rather than held open as a long poll.
It is named by ``[bus] class`` in config/*.conf; ``install`` puts the same
filter in front of whatever bus trytond resolved when a deployment forgot
that line.
"""
import logging
import re

import trytond.bus
import trytond.config as config
from trytond.bus import LongPollingBus
from trytond.pool import Pool
from trytond.protocols.wrappers import HTTPStatus, abort
from trytond.transaction import Transaction, check_access

from .protection import log_refusal

__all__ = ['ChannelFilter', 'AgencyBus', 'allowed_channels', 'install']

logger = logging.getLogger(__name__)

# a chat discussion is many, one per open form: more is not a client
MAX_CHAT_CHANNELS = 50
_CLIENT = re.compile(r'^client:[0-9a-fA-F-]{32,36}$')
_OWN = re.compile(r'^(user|notification):(\d+)$')
_CHAT = re.compile(r'^chat:([a-z0-9_.-]+),(\d+)$')


def allowed_channels(user_id, channels):
    """Return the channels of channels that user_id may listen to.

    Run inside a transaction of the database: ``chat:`` channels are
    kept only when the user may read their record (record rules
    included, see ir.chat.channel.check_access)."""
    kept, dropped, chats = set(), set(), 0
    for channel in channels:
        channel = str(channel)
        own = _OWN.match(channel)
        if own:
            (kept if int(own.group(2)) == user_id else dropped).add(channel)
        elif _CLIENT.match(channel):
            kept.add(channel)
        elif _CHAT.match(channel) and chats < MAX_CHAT_CHANNELS:
            chats += 1
            (kept if _may_read(user_id, channel) else dropped).add(channel)
        else:
            dropped.add(channel)
    if dropped:
        with Transaction().set_user(user_id):
            log_refusal('ir.bus', (), sorted(dropped)[:20],
                'bus channels not the user\'s own')
    return kept


def _may_read(user_id, channel):
    "Tell whether user_id may read the record of the chat channel"
    model, id_ = _CHAT.match(channel).groups()
    pool = Pool()
    Channel = pool.get('ir.chat.channel')
    try:
        pool.get(model)
    except KeyError:
        return False
    transaction = Transaction()
    with transaction.set_user(user_id), check_access():
        try:
            Channel.check_access('%s,%s' % (model, id_))
        except Exception:
            # AccessError, a deleted record, a model without storage:
            # all mean "not for this user"
            return False
    return True


class ChannelFilter:
    "Put in front of a bus class: subscribe only to allowed channels"
    __slots__ = ()

    @classmethod
    def subscribe(cls, database, channels, last_message=None):
        channels = set(map(str, channels))
        users = {int(c.split(':', 1)[1]) for c in channels
            if re.match(r'^user:\d+$', c)}
        if len(users) != 1:
            # the route always adds the session's user:<id>, only it
            logger.warning("bus subscription without its user: %s",
                sorted(channels)[:20])
            abort(HTTPStatus.FORBIDDEN)
        user_id, = users
        with Transaction().start(database, user_id, readonly=True):
            allowed = allowed_channels(user_id, channels)
        if allowed != channels:
            # a client asks only for what its user opened: an answer
            # now, not a poll held open for minutes
            abort(HTTPStatus.FORBIDDEN,
                "Bạn không có quyền theo dõi kênh: %s" % ', '.join(
                    sorted(channels - allowed)[:5]))
        return super().subscribe(database, channels, last_message)


class AgencyBus(ChannelFilter, LongPollingBus):
    "trytond's long polling bus, filtered by the user's rights"
    __slots__ = ()


def install():
    """Make sure that the bus of the ``/bus`` route filters channels.

    A deployment may forget ``[bus] class``: with ``allow_subscribe``
    on, trytond.bus.Bus is then replaced by a filtered subclass of
    itself (the route looks the name up at each request)."""
    if not config.getboolean('bus', 'allow_subscribe', default=False):
        return
    current = trytond.bus.Bus
    if issubclass(current, ChannelFilter):
        return
    logger.error("[bus] allow_subscribe is on but [bus] class is %s.%s, "
        "not %s.AgencyBus: any user could listen to any channel; "
        "filtering it", current.__module__, current.__qualname__,
        __name__)
    trytond.bus.Bus = type(
        'Filtered' + current.__name__, (ChannelFilter, current), {})
