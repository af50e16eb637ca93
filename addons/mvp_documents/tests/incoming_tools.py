# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Agencies, officials and documents for the tests of incoming documents."""
import datetime
import itertools
from contextlib import contextmanager

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company
from trytond.pool import Pool
from trytond.transaction import Transaction, check_access

__all__ = ['create_agency', 'create_official', 'create_incoming', 'acting_as',
    'PDF', 'REFUSED', 'AttackMixin', 'OfficialsMixin']

# a refusal is an access error, or a workflow's user error
REFUSED = (AccessError, UserError)
PDF = (b'%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n'
    b'2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n'
    b'%%EOF\n')


# the agencies' time zone: their registers' days and the reports' "today"
AGENCY_TIMEZONE = 'Asia/Ho_Chi_Minh'


def agency_today():
    """Today in the agencies' time zone, as the server's reports count it
    (from 17:00 UTC it is already tomorrow in Việt Nam)"""
    import datetime as dt
    from zoneinfo import ZoneInfo
    return dt.datetime.now(ZoneInfo(AGENCY_TIMEZONE)).date()

def create_agency(name="Sở Thông tin và Truyền thông", short_name='STTTT'):
    "Create an agency with its offices, an ordinary and a secret register"
    pool = Pool()
    Department = pool.get('mvp.department')
    Register = pool.get('mvp.register')
    company = create_company(name)
    company.short_name = short_name
    company.timezone = AGENCY_TIMEZONE
    company.save()
    office, it = Department.create([{
                'name': "Văn phòng", 'code': 'VP', 'company': company.id,
                'is_office': True,
                }, {
                'name': "Phòng Công nghệ thông tin", 'code': 'CNTT',
                'company': company.id,
                }])
    Register.create([{
                'company': company.id, 'kind': 'incoming',
                'name': "Sổ văn bản đến",
                }, {
                'company': company.id, 'kind': 'incoming',
                'name': "Sổ văn bản đến mật", 'confidential': True,
                }])
    return company


def create_official(company, login, name, role=None, department=None,
        head=False):
    "Create an official of company with a user account and agency role"
    pool = Pool()
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    Role = pool.get('mvp.user.role')
    ModelData = pool.get('ir.model.data')
    party = Party(name=name)
    party.save()
    employee = Employee(party=party, company=company, department=department)
    employee.save()
    user = User(
        login=login, name=name, email='%s@example.com' % login,
        companies=[company], company=company,
        employees=[employee], employee=employee)
    user.save()
    if role:
        Role.create([{
                    'user': user.id, 'company': company.id,
                    'group': ModelData.get_id('mvp_documents', role),
                    }])
    if head:
        department.head = employee
        department.save()
    return employee


_numbers = itertools.count(51)


def create_incoming(company, **values):
    pool = Pool()
    Incoming = pool.get('mvp.incoming')
    DocumentType = pool.get('mvp.document.type')
    ModelData = pool.get('ir.model.data')
    values.setdefault(
        'subject', "V/v triển khai Quyết định số 12 về chuyển đổi số")
    # each document its own number: the same notation, date and issuer
    # twice is a duplicate that registration warns about
    values.setdefault('notation', '%s/TTr-STTTT' % next(_numbers))
    values.setdefault('issuer_name', "Ủy ban nhân dân huyện Đông Hưng")
    values.setdefault('issue_date', datetime.date.today())
    values.setdefault('document_type', DocumentType(ModelData.get_id(
                'mvp_documents', 'document_type_to_trinh')))
    incoming = Incoming(company=company, **values)
    incoming.save()
    return incoming


@contextmanager
def acting_as(employee, access=True):
    "Run the block as the user of employee, with access checks"
    user, = employee.users
    with Transaction().set_user(user.id), \
            Transaction().set_context(company=employee.company.id), \
            check_access(_access=access):
        yield user


def cross_leader(a, b, prefix=''):
    """A leader of agency b who is also an officer of agency a and shows
    the records of all their agencies (company_filter 'all')"""
    pool = Pool()
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    Role = pool.get('mvp.user.role')
    ModelData = pool.get('ir.model.data')
    party = Party(name="Lý Văn Kiêm")
    party.save()
    in_b, in_a = Employee.create([
            {'party': party.id, 'company': b.company.id},
            {'party': party.id, 'company': a.company.id}])
    user, = User.create([{
                'login': prefix + 'cross', 'name': "Lý Văn Kiêm",
                'companies': [('add', [a.company.id, b.company.id])],
                'company': b.company.id,
                'employees': [('add', [in_b.id, in_a.id])],
                'employee': in_b.id,
                'company_filter': 'all',
                }])
    Role.create([{
                'user': user.id, 'company': company.id,
                'group': ModelData.get_id('mvp_documents', group),
                } for company, group in [
                (b.company, 'group_mvp_leader'),
                (a.company, 'group_mvp_officer')]])
    return in_b


class AttackMixin:
    "Attacks as a user over RPC, undone as the refused call's rollback"

    @contextmanager
    def refused(self, error=REFUSED):
        """Assert the block is refused, then undo what it wrote as the
        rollback of the refused RPC call does (create checks run after
        the insert)"""
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        cursor.execute('SAVEPOINT attack')
        with self.assertRaises(error) as context:
            yield context
        cursor.execute('ROLLBACK TO SAVEPOINT attack')
        transaction.counter += 1
        for cache in transaction.cache.values():
            cache.clear()

    def values(self, record, names):
        "Re-read names of record as root"
        Model = Pool().get(record.__name__)
        with Transaction().set_user(0):
            row, = Model.read([record.id], names)
        return {n: row[n] for n in names}


class OfficialsMixin:
    "An agency with its identifier code and officials with accounts"

    def _agency(self, name="Sở Thông tin và Truyền thông",
            code='000.00.01.H54'):
        company = create_company(name)
        company.identifier_code = code
        company.short_name = 'STTTT'
        company.save()
        return company

    def _official(self, company, name, login, role=None, department=None):
        employee = create_official(company, login, name, role=role,
            department=department)
        user, = employee.users
        return employee, user
