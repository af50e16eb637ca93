# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Null, Union

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .exceptions import RoleValidationError


class UserRole(ModelSQL, ModelView):
    "Agency Role of a User"
    __name__ = 'mvp.user.role'
    __string__ = "Agency Role of a User"
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='CASCADE')
    group = fields.Many2One(
        'res.group', "Role", required=True, ondelete='CASCADE',
        domain=[('agency_role', '=', True)])

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


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    agency_roles = fields.One2Many(
        'mvp.user.role', 'user', "Agency Roles",
        domain=[('company', 'in', Eval('companies', []))])

    @classmethod
    def write(cls, *args):
        super().write(*args)
        actions = iter(args)
        if any({'company', 'employees', 'employee'} & set(values)
                for _, values in zip(actions, actions)):
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
        # works in (res.user.company), so a leader of one agency is an
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
