# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Changes of the configuration go to the audit trail (QCVN 12:2026/BCA
level 3; issue 17 item 4): signing keys, trust roots and CRLs, exchange
peers and routes, document registers.

A user's create, write and delete are recorded: who, which record, which
fields (never their values: a key's PIN or a peer's secret is a field of
these records).  The server's own changes (a directory refreshed by the
cron, a key's use counted) are not configuration by a person."""
from trytond.model import dualmethod
from trytond.pool import PoolMeta
from trytond.transaction import Transaction

from .audit import record


def users_change():
    "Tell whether the running change is a user's own (access checked)"
    transaction = Transaction()
    return bool(transaction.user and transaction.check_access)


class ConfigurationAuditMixin:
    "A configuration record whose changes by a user are audited"
    __slots__ = ()

    @classmethod
    def create(cls, vlist):
        records = super().create(vlist)
        if users_change():
            _record('config_create', records,
                ','.join(sorted({k for v in vlist for k in v})))
        return records

    @dualmethod
    def log(cls, records, event, target=None, user=None, **extra):
        # trytond calls it for a user's write and delete (before deleting:
        # the names are still there)
        if event in {'write', 'delete'} and records:
            _record('config_%s' % event, records, target or '')
        return super().log(
            records, event, target=target, user=user, **extra)


def _record(event, records, fields):
    for configuration in records:
        record(event, resource=str(configuration), details=': '.join(
                filter(None, [configuration.rec_name, fields])))


class Register(ConfigurationAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.register'


class AgencyKey(ConfigurationAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.signature.agency_key'


class TrustRoot(ConfigurationAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.signature.trust_root'


class Crl(ConfigurationAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.signature.crl'


class Peer(ConfigurationAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.interchange.peer'


class Route(ConfigurationAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.interchange.route'
