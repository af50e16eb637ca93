# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Who did it: the acting user's employee in each record's own agency."""
import functools

from trytond.pool import Pool
from trytond.transaction import Transaction


def stamp_employee(field):
    """Decorator recording who acted, as set_employee does, but with the
    user's employee in each record's own agency (a user may work for
    several agencies; res.user.employee is only the current one)."""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(cls, records, *args, **kwargs):
            pool = Pool()
            User = pool.get('res.user')
            result = func(cls, records, *args, **kwargs)
            user = User(Transaction().user)
            employees = {e.company.id: e for e in user.employees}
            if user.employee:
                employees[user.employee.company.id] = user.employee
            for record in records:
                employee = employees.get(record.company.id)
                if employee and not getattr(record, field):
                    cls.write([record], {field: employee.id})
            return result
        return wrapper
    return decorator
