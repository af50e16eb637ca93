# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import unittest

from trytond.model.exceptions import AccessError
from trytond.modules.mvp_documents.tests.incoming_tools import (
    acting_as, create_agency, create_incoming, create_official)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction


class ProtectionTestCase(unittest.TestCase):
    "Refused attempts leave a trace in the server log"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    @with_transaction()
    def test_reading_a_record_outside_the_rules_is_logged(self):
        Incoming = Pool().get('mvp.incoming')
        agency = create_agency()
        other = create_agency("Sở Y tế", 'SYT')
        stranger = create_official(
            other, 'stranger', "Lê Văn Lạ", 'group_mvp_clerk')
        incoming = create_incoming(agency)
        with self.assertLogs('mvp.security', 'WARNING') as logs, \
                acting_as(stranger), self.assertRaises(AccessError):
            Incoming.read([incoming.id], ['subject'])
        line, = [l for l in logs.output if 'record rule: read' in l]
        self.assertIn('model=mvp.incoming', line)
        self.assertIn('ids=[%s]' % incoming.id, line)
        self.assertIn('company=%s' % other.id, line)

    @with_transaction()
    def test_writing_a_server_field_is_logged_with_the_fields(self):
        Incoming = Pool().get('mvp.incoming')
        agency = create_agency()
        clerk = create_official(
            agency, 'clerk', "Nguyễn Thị Thư", 'group_mvp_clerk')
        incoming = create_incoming(agency)
        with self.assertLogs('mvp.security', 'WARNING') as logs, \
                acting_as(clerk), self.assertRaises(AccessError):
            Incoming.write([incoming], {'arrival_number': 7})
        self.assertTrue(any("fields=['arrival_number']" in l
                and 'ids=[%s]' % incoming.id in l for l in logs.output),
            logs.output)
