# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta


class Group(metaclass=PoolMeta):
    __name__ = 'res.group'
    agency_role = fields.Boolean(
        "Agency Role", readonly=True,
        help="Granted per agency: it applies only while the user works "
        "in the agency where the role was given.")
