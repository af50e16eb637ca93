# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 17 item 4: a person's changes of the configuration (here the
exchange's peers and routes) and exports of documents are in the audit
trail; the server's own changes are not."""
import unittest

from trytond.modules.mvp_documents.tests.incoming_tools import (
    acting_as, create_agency, create_incoming, create_official)
from trytond.modules.mvp_interchange.tests.test_interchange import make_peer
from trytond.modules.mvp_documents.tests.tools import ALL_MODULES
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access


class ConfigurationAuditTestCase(unittest.TestCase):
    "Who changed a peer or a route, who exported documents"

    @classmethod
    def setUpClass(cls):
        activate_module(ALL_MODULES)

    def province_admin(self):
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        admin, = User.create([{'login': 'qt.tinh', 'name': "Quản trị tỉnh",
                    'groups': [('add', [ModelData.get_id(
                                    'mvp_documents',
                                    'group_mvp_province_admin')])]}])
        return admin

    @staticmethod
    def rows(event_like):
        Audit = Pool().get('mvp.security.audit')
        return [(a.event, a.actor.id if a.actor else None, a.resource,
                a.details)
            for a in Audit.search([('event', 'like', event_like)],
                order=[('id', 'ASC')])]

    @with_transaction()
    def test_peers_and_routes_changed_by_a_person_are_audited(self):
        Route = Pool().get('mvp.interchange.route')
        admin = self.province_admin()
        peer = make_peer('truc-tinh')   # the server's own: not audited
        self.assertEqual(self.rows('config_%'), [])
        with Transaction().set_user(admin.id), check_access():
            route, = Route.create([{'identifier_code': '000.00.00.H41',
                        'name': "UBND tỉnh Nghệ An", 'peer': peer.id}])
            Route.write([route], {'name': "Văn phòng UBND tỉnh Nghệ An"})
            Route.delete([route])
        resource = 'mvp.interchange.route,%s' % route.id
        self.assertEqual([r[:3] for r in self.rows('config_%')], [
                ('config_create', admin.id, resource),
                ('config_write', admin.id, resource),
                ('config_delete', admin.id, resource)])
        created, written, deleted = [r[3] for r in self.rows('config_%')]
        self.assertIn('identifier_code', created)
        self.assertTrue(written.endswith(': name'), written)
        self.assertIn("Văn phòng UBND tỉnh Nghệ An", deleted)

    @with_transaction()
    def test_a_peers_secret_is_named_never_shown(self):
        Peer = Pool().get('mvp.interchange.peer')
        admin = self.province_admin()
        peer = make_peer('truc-quoc-gia')
        with Transaction().set_user(admin.id), check_access():
            Peer.write([Peer(peer.id)],
                {'outgoing_key_secret': 'bi-mat-moi-2026'})
        (event, actor, resource, details), = self.rows('config_%')
        self.assertEqual((event, actor), ('config_write', admin.id))
        self.assertIn('outgoing_key_secret', details)
        self.assertNotIn('bi-mat-moi-2026', details)

    @with_transaction()
    def test_an_export_of_documents_is_audited(self):
        Incoming = Pool().get('mvp.incoming')
        agency = create_agency("Sở Nội vụ", 'SNV')
        clerk = create_official(agency, 'vt.snv', "Văn thư", 'group_mvp_clerk')
        Slip = Pool().get('mvp.incoming.slip', type='report')
        with acting_as(clerk):
            first = create_incoming(agency)
            create_incoming(agency)
        self.assertEqual(self.rows('export'), [])
        with acting_as(clerk):
            Incoming.export_data_domain([], ['subject'], header=True)
            Slip.execute([first.id], {'model': 'mvp.incoming',
                    'id': first.id, 'ids': [first.id]})
        user = clerk.users[0].id
        self.assertEqual([r[0:2] + r[3:] for r in self.rows('export')], [
                ('export', user, 'mvp.incoming: 2'),
                ('export', user, 'mvp.incoming.slip: 1')])
