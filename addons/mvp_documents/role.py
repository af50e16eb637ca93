# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import functools

from sql import Null, Union

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id, Or
from trytond.transaction import Transaction, without_check_access

from . import bus
from .exceptions import RoleValidationError
from .protection import ServerFieldsMixin, refuse, users_call

# Imported with the models, once trytond.bus is complete: a deployment
# that forgot "[bus] class" still filters the channels of subscriptions.
bus.install()

# Client side only (the server checks in check_modification): the
# context's "groups" are the user's own groups, as get_preferences gives.
NOT_PROVINCE_ADMIN = ~Id('mvp_documents', 'group_mvp_province_admin').in_(
    Eval('context', {}).get('groups', []))


def is_province_admin():
    """Tell whether the user of the transaction is a provincial
    administrator (root, who runs the server's own work, counts as one)"""
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    if Transaction().user == 0:
        return True
    return (ModelData.get_id('mvp_documents', 'group_mvp_province_admin')
        in User.get_groups())



def has_agency_role(company, *roles):
    """Tell whether the user of the transaction holds one of roles (xml
    ids of groups of mvp_documents) in company, and works in company now
    (res.user.get_working_company: never the client's context); root
    holds every role"""
    pool = Pool()
    User = pool.get('res.user')
    Role = pool.get('mvp.user.role')
    ModelData = pool.get('ir.model.data')
    user_id = Transaction().user
    if user_id == 0:
        return True
    if not company or User.get_working_company(user_id) != company:
        return False
    groups = [ModelData.get_id('mvp_documents', r) for r in roles]
    with without_check_access():
        return bool(Role.search([
                    ('user', '=', user_id),
                    ('company', '=', company.id),
                    ('group', 'in', groups),
                    ], limit=1))

def agency_role_users(company, *roles):
    """Return the active users who hold one of roles (xml ids of groups of
    mvp_documents) in company, e.g. its clerks to tell of an arrival"""
    return agencies_role_users([company], *roles).get(company, set())


def agencies_role_users(companies, *roles):
    "Return {company: users} of agency_role_users for each of companies"
    pool = Pool()
    Role = pool.get('mvp.user.role')
    ModelData = pool.get('ir.model.data')
    groups = [ModelData.get_id('mvp_documents', r) for r in roles]
    result = {}
    with without_check_access():
        for role in Role.search([
                    ('company', 'in', [c.id for c in companies]),
                    ('group', 'in', groups),
                    ]):
            if role.user.active:
                result.setdefault(role.company, set()).add(role.user)
    return result


class UserRole(ServerFieldsMixin, ModelSQL, ModelView):
    "Agency Role of a User"
    __name__ = 'mvp.user.role'
    __string__ = "Agency Role of a User"
    # A role is given or taken away, never moved to another person,
    # agency or role by a write.
    _fixed_fields = frozenset({'user', 'company', 'group'})
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE',
        states={'readonly': Eval('id', -1) >= 0})
    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='CASCADE',
        states={'readonly': Eval('id', -1) >= 0})
    group = fields.Many2One(
        'res.group', "Role", required=True, ondelete='CASCADE',
        domain=[('agency_role', '=', True)],
        states={'readonly': Eval('id', -1) >= 0})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('role_unique', Unique(t, t.user, t.company, t.group),
                'mvp_documents.msg_user_role_unique'),
            ]
        cls.__access__.add('company')

    @classmethod
    def validate_fields(cls, roles, field_names):
        super().validate_fields(roles, field_names)
        for role in roles:
            if not role.group.agency_role:
                raise RoleValidationError(gettext(
                        'mvp_documents.msg_user_role_not_agency_role',
                        role=role.group.rec_name))
            if role.company not in {e.company for e in role.user.employees}:
                raise RoleValidationError(gettext(
                        'mvp_documents.msg_user_role_not_member',
                        user=role.user.rec_name,
                        agency=role.company.rec_name,
                        role=role.group.rec_name))

    @classmethod
    def on_modification(cls, mode, roles, field_names=None):
        callback = super().on_modification(mode, roles, field_names)
        Pool().get('res.user')._get_groups_cache.clear()
        return callback

    @classmethod
    def check_modification(cls, mode, roles, values=None, external=False):
        super().check_modification(
            mode, roles, values=values, external=external)
        if (not external or mode not in {'create', 'delete'}
                or is_province_admin()):
            return
        # An agency administrator: the roles of the agency they work
        # in, and never a role for themselves (a second administrator
        # of the agency, or the province, gives it).
        User = Pool().get('res.user')
        user_id = Transaction().user
        agency = User.get_working_company(user_id)
        for role in roles:
            if role.company != agency:
                refuse('mvp_documents.msg_user_role_other_agency', [role],
                    fields={'company'}, agency=role.company.rec_name)
            if mode == 'create' and role.user.id == user_id:
                refuse('mvp_documents.msg_user_role_self_grant', [role],
                    fields={'user'}, role=role.group.rec_name)


def agency_role(*roles):
    """Decorator, put above @ModelView.button: a user's own call needs one
    of roles in the agency of each record"""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(cls, records, *args, **kwargs):
            if users_call(cls, func.__name__):
                check_agency_role(records, roles, func.__name__)
            return func(cls, records, *args, **kwargs)
        return wrapper
    return decorator


def check_agency_role(records, roles, action):
    """Refuse unless the user holds one of roles in the agency of each
    record.  Button groups count the roles of the user's current agency
    only, while the records shown may come from another of their
    agencies (company_filter 'all')."""
    for record in records:
        if not has_agency_role(record.company, *roles):
            refuse('mvp_documents.msg_agency_role_required', [record],
                fields=[action], record=record.rec_name,
                agency=record.company.rec_name)


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    agency_roles = fields.One2Many(
        'mvp.user.role', 'user', "Agency Roles",
        domain=[('company', 'in', Eval('companies', []))])
    # What an agency administrator may change on an account of their
    # agency; the rest (groups, agencies, officials, login, active,
    # password, e-mail...) is the provincial administrator's.  A user's
    # own preferences go through set_preferences, not checked here.
    _agency_admin_fields = frozenset({
            'name', 'signature', 'language', 'agency_roles',
            'notify_by_email'})
    # read-only in the client for the others
    _province_admin_fields = (
        'login', 'active', 'groups', 'companies', 'employees', 'actions',
        'menu', 'applications')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        for name in cls._province_admin_fields:
            field = getattr(cls, name)
            readonly = field.states.get('readonly')
            field.states['readonly'] = (
                Or(readonly, NOT_PROVINCE_ADMIN) if readonly is not None
                else NOT_PROVINCE_ADMIN)
        # Rules see one agency at a time (get_companies), but for the
        # provincial administrator: "All" is offered to them only.
        cls.company_filter.states['invisible'] = NOT_PROVINCE_ADMIN

    @classmethod
    def check_modification(cls, mode, users, values=None, external=False):
        super().check_modification(
            mode, users, values=values, external=external)
        if not external or is_province_admin():
            return
        if mode == 'create':
            refuse('mvp_documents.msg_user_create_province_only', users)
        elif mode == 'write':
            tried = set(values or {}) - cls._agency_admin_fields
            if tried:
                definitions = cls.fields_get(sorted(tried))
                refuse('mvp_documents.msg_user_field_province_only', users,
                    fields=tried, field_names=', '.join(
                        '"%s"' % definitions[n]['string']
                        for n in sorted(tried) if n in definitions),
                    users=', '.join(u.rec_name for u in users[:5]))

    @classmethod
    def get_working_company(cls, user_id=None):
        """Return the agency user_id works in: res.user.company as stored.

        The single source of the agency of a request, for the roles
        (UserGroup.user_group_all_table) and the record rules (ir.rule's
        "company" and "companies") alike.  The client's context company
        is not: res.user.read shows it as the user's company but it is
        the client's claim, and a user working in two agencies could
        otherwise take the role of one into the other."""
        pool = Pool()
        Company = pool.get('company.company')
        if user_id is None:
            user_id = Transaction().user
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(
                table.company, where=table.id == int(user_id)))
        row = cursor.fetchone()
        return Company(row[0]) if row and row[0] is not None else None

    @classmethod
    def get_companies(cls):
        # The working agency alone, whatever company_filter and the
        # context say: roles count in that agency only, so the rules'
        # Eval('companies') must not name another.
        transaction = Transaction()
        if '_companies' in transaction.context:
            # set by server code only: RPC drops the context keys
            # starting with "_" (trytond/rpc.py)
            return super().get_companies()
        user_id = transaction.user
        companies = cls._get_companies_cache.get(user_id)
        if companies is None:
            companies = cls._get_companies_cache.set(
                user_id, cls._agencies_in_scope(user_id))
        return companies

    @classmethod
    def _agencies_in_scope(cls, user_id):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        company = cls.get_working_company(user_id)
        working = [company.id] if company else []
        province_admin = ModelData.get_id(
            'mvp_documents', 'group_mvp_province_admin')
        if province_admin in cls.get_groups():
            # The provincial administrator sets up every agency they
            # belong to (company filter "all") and holds no agency role
            # that could follow them there
            user = cls(user_id)
            if user.company_filter == 'all':
                return sorted({c.id for c in user.companies} | set(working))
        return working

    @classmethod
    def write(cls, *args):
        super().write(*args)
        actions = iter(args)
        if any({'company', 'employees', 'employee'} & set(values)
                for _, values in zip(actions, actions, strict=True)):
            # Agency roles follow the current company, see
            # UserGroup.user_group_all_table.
            cls._get_groups_cache.clear()

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        callback = super().on_modification(mode, users, field_names)
        Pool().get('ir.rule').clear_agency_context()
        return callback

    def get_status_bar(self, name):
        # "Name - Agency" (not the currency): officials often work for
        # several agencies and must see where they are working.
        status = self.name or self.login
        if self.company:
            status += ' - %s' % self.company.rec_name
        return status

    def role_companies(self, xml_id):
        "Return the agencies in which the user has the role"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        group_id = ModelData.get_id(*xml_id.split('.'))
        return [r.company for r in self.agency_roles if r.group.id == group_id]


class UserGroup(metaclass=PoolMeta):
    __name__ = 'res.user-res.group'

    @classmethod
    def user_group_all_table(cls):
        # An agency role counts only in the agency the user currently
        # works in (res.user.company as stored, see
        # User.get_working_company), so a leader of one agency is an
        # ordinary officer when working in another.
        pool = Pool()
        Group = pool.get('res.group')
        User = pool.get('res.user')
        Role = pool.get('mvp.user.role')
        user_group = cls.__table__()
        user = User.__table__()
        role = Role.__table__()
        group_parents = Group.group_parent_all_cte()

        granted = Union(
            user_group.select(
                user_group.user.as_('user'), user_group.group.as_('group')),
            role.join(user, condition=(role.user == user.id)
                & (role.company == user.company)
                ).select(role.user.as_('user'), role.group.as_('group')),
            all_=True)
        return (granted
            .join(group_parents,
                condition=granted.group == group_parents.id)
            .select(
                granted.user.as_('user'),
                group_parents.parent.as_('group'),
                where=group_parents.parent != Null,
                with_=group_parents))
