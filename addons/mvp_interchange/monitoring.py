# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Exchange messages in /health (stuck ones) and /metrics (by state)"""
import datetime as dt

from sql import Table
from sql.aggregate import Count

from trytond import backend, config
from trytond.modules.mvp_documents import monitoring
from trytond.transaction import Transaction

from .interchange import SECTION

WAITING = ('queued', 'retrying', 'dead')


def _counts(name):
    """Return {(direction, state): count} and the stuck messages, or None
    when the module is not installed in the database"""
    message = Table('mvp_interchange_message')
    hours = config.getint(SECTION, 'stuck_hours', default=4)
    limit = dt.datetime.now() - dt.timedelta(hours=hours)
    with Transaction(new=True).start(name, 0, readonly=True) as transaction:
        if not backend.TableHandler.table_exist(message._name):
            return None
        cursor = transaction.connection.cursor()
        cursor.execute(*message.select(message.direction, message.state,
                Count(message.id),
                group_by=[message.direction, message.state]))
        counts = {(d, s): c for d, s, c in cursor}
        cursor.execute(*message.select(Count(message.id),
                where=message.state.in_(WAITING)
                & (message.create_date < limit)))
        stuck, = cursor.fetchone()
    return counts, stuck


def health(name):
    "Stuck messages (waiting longer than [mvp_interchange] stuck_hours)"
    counts = _counts(name)
    if counts is None:
        return None
    _, stuck = counts
    return not stuck, {'status': 'stuck' if stuck else 'ok', 'stuck': stuck}


def metrics(name):
    counts = _counts(name)
    if counts is None:
        return
    counts, stuck = counts
    yield from monitoring.metric_lines('mvp_exchange_messages', 'gauge',
        "edXML packages and statuses by direction and state.",
        [((('direction', d), ('state', s)), c)
            for (d, s), c in sorted(counts.items())])
    yield from monitoring.metric_lines('mvp_exchange_stuck', 'gauge',
        "Messages waiting longer than stuck_hours.", [((), stuck)])


monitoring.HEALTH_CHECKS['exchange'] = health
monitoring.METRICS.append(metrics)
