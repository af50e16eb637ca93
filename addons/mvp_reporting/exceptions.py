# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError


class StatisticsError(UserError):
    pass


class StatisticsAccessError(AccessError):
    "The user may not see the figures asked for"
