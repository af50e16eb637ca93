# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The acting user's posts (employees), and who did what.

A user may hold a post in several agencies (res.user.employees); the
rules and the records of an agency count only the post held there.
"""
import functools

from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access


def acting_user_id():
    """Return the id of the user the call acts for.

    ir.rule evaluates its domains as root (user 0) with the real user in
    the context; a user's own call always has its own id, so a forged
    context cannot choose whose rights apply.
    """
    transaction = Transaction()
    return transaction.user or transaction.context.get('user')


def user_employees(company=None, user=None):
    """Return the employees of user (default: the acting user), only those
    of company when it is given"""
    pool = Pool()
    User = pool.get('res.user')
    user_id = int(user) if user is not None else acting_user_id()
    if not user_id:
        return []
    with without_check_access():
        employees = User(user_id).employees
        if company is not None:
            employees = [e for e in employees if e.company == company]
        return list(employees)


def acting_employees():
    """Return the acting user's post in each agency, by the agency's id
    (res.user.employee, the current one, where the user holds two)"""
    pool = Pool()
    User = pool.get('res.user')
    user = User(Transaction().user)
    employees = {e.company.id: e for e in user_employees()}
    if user.employee:
        employees[user.employee.company.id] = user.employee
    return employees


def stamp_employee(field):
    """Decorator recording who acted, after the action, as Tryton's
    set_employee does, but with the user's employee in each record's own
    agency (a user may work for several agencies; res.user.employee is
    only the current one).  The one way to record who did it; an action
    that saves its records anyway may set the field itself from
    acting_employees() and save a write."""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(cls, records, *args, **kwargs):
            result = func(cls, records, *args, **kwargs)
            employees = acting_employees()
            for record in records:
                employee = employees.get(record.company.id)
                if employee and not getattr(record, field):
                    cls.write([record], {field: employee.id})
            return result
        return wrapper
    return decorator
