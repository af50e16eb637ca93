# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError


class RouteError(UserError):
    pass


class InterchangeError(UserError):
    pass


class Rejected(Exception):
    "A package or status refused on arrival: code and reason go back"

    def __init__(self, code, message, keep=False):
        super().__init__(message)
        self.code = code
        self.keep = keep
