# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Attacks on dossiers, their archive and the dossier export route, made
as a JSON-RPC call would make them."""
import base64
import datetime as dt
import unittest
import urllib.parse
from contextlib import contextmanager

from werkzeug.test import Client

from trytond.modules.mvp_documents.tests import test_incoming
from trytond.modules.mvp_documents.tests.incoming_tools import (
    PDF, AttackMixin, acting_as, create_official, cross_leader)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from .tools import ExportDirMixin



class World:
    "Agency a with a dossier of officer1; agency b; a cross-agency leader"

    def __init__(self, prefix=''):
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        File = pool.get('mvp.document.file')
        self.a = a = test_incoming.Agency(prefix=prefix)
        self.b = test_incoming.Agency(
            "Sở Nội vụ", 'SNV', prefix=prefix + 'b_')
        self.admin = create_official(a.company, prefix + 'quantri',
            "Vũ Văn Quản", 'group_mvp_agency_admin', a.office)
        self.cross = cross_leader(a, self.b, prefix)
        with Transaction().set_context(company=a.company.id):
            self.dossier, = Dossier.create([{
                        'company': a.company.id,
                        'year': 2015,
                        'code': '01.CNTT',
                        'title': "Hồ sơ chuyển đổi số",
                        'retention': '5',
                        'responsible': a.officer1.id,
                        'department': a.it.id,
                        'start_date': dt.date(2015, 1, 5),
                        'end_date': dt.date(2015, 12, 31),
                        }])
            self.files = File.create([{
                        'resource': str(self.dossier),
                        'name': 'van-ban-%s.pdf' % i,
                        'data': PDF,
                        'pages': 1,
                        } for i in range(2)])

    def everyone(self):
        "(name, employee) of every role, the other agency's official last"
        a = self.a
        return [('clerk', a.clerk), ('officer', a.officer2),
            ('head', a.head), ('leader', a.leader), ('admin', self.admin),
            ('other agency', self.b.leader)]

    def close(self, dossier=None):
        Dossier = Pool().get('mvp.dossier')
        Dossier.close([dossier or self.dossier])

    def disposal(self, state='submitted'):
        "A disposal of the (closed, expired) dossier, in state"
        pool = Pool()
        Disposal = pool.get('mvp.dossier.disposal')
        self.close()
        with Transaction().set_context(company=self.a.company.id):
            disposal, = Disposal.create([{
                        'company': self.a.company.id,
                        'reason': "Hết thời hạn bảo quản",
                        }])
            Disposal.review([disposal])
            if state != 'draft':
                Disposal.submit([disposal])
        return disposal


class DossierSecurityTestCase(
        ExportDirMixin, AttackMixin, unittest.TestCase):
    "Every rule of dossiers holds over RPC"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_dossier')

    # 1. protected fields and states
    @with_transaction()
    def test_clerk_cannot_forge_a_disposal_decision_and_destroy(self):
        "A clerk writes neither state, approver nor decision of a disposal"
        pool = Pool()
        Disposal = pool.get('mvp.dossier.disposal')
        w = World()
        disposal = w.disposal()
        names = ['state', 'approved_by', 'approved_date', 'decision']
        before = self.values(disposal, names)
        for values in [{'state': 'approved'},
                {'approved_by': w.a.leader.id},
                {'approved_date': dt.date.today()},
                {'decision': "15/QĐ-STTTT"},
                {'destroyed_by': w.a.clerk.id}]:
            with self.subTest(values=values):
                with acting_as(w.a.clerk), self.refused():
                    Disposal.write([Disposal(disposal.id)], values)
                self.assertEqual(self.values(disposal, names), before)
        with acting_as(w.a.clerk):
            with self.refused():
                Disposal.approve([Disposal(disposal.id)])
            with self.refused():
                Disposal.destroy([Disposal(disposal.id)])
        self.assertEqual(self.values(disposal, names), before)
        self.assertEqual(w.dossier.state, 'closed')

    @with_transaction()
    def test_disposal_cannot_be_created_decided(self):
        "A disposal created by a user starts as a draft with nobody's name"
        pool = Pool()
        Disposal = pool.get('mvp.dossier.disposal')
        w = World()
        for values in [{'state': 'approved'},
                {'approved_by': w.a.leader.id},
                {'proposed_by': w.a.clerk.id},
                {'destroyed_date': dt.date.today()}]:
            with self.subTest(values=values):
                with acting_as(w.a.clerk), self.refused():
                    Disposal.create([dict({
                                    'company': w.a.company.id,
                                    'reason': "Hết hạn"}, **values)])
                self.assertEqual(Disposal.search([]), [])

    @with_transaction()
    def test_leader_of_another_agency_cannot_approve_a_disposal(self):
        "A leader approves only the disposals of their own agency"
        pool = Pool()
        Disposal = pool.get('mvp.dossier.disposal')
        w = World()
        disposal = w.disposal()
        disposal.decision = "15/QĐ-STTTT"
        disposal.save()
        with acting_as(w.cross):
            with self.refused():
                Disposal.approve([Disposal(disposal.id)])
            with self.refused():
                Disposal.reject([Disposal(disposal.id)])
        with acting_as(w.b.leader), self.refused():
            Disposal.approve([Disposal(disposal.id)])
        self.assertEqual(self.values(disposal, ['state', 'approved_by']),
            {'state': 'submitted', 'approved_by': None})

        with acting_as(w.a.leader):
            Disposal.approve([Disposal(disposal.id)])
        with acting_as(w.a.clerk):
            Disposal.destroy([Disposal(disposal.id)])
        self.assertEqual(self.values(w.dossier, ['state'])['state'],
            'destroyed')
        self.assertEqual(Disposal(disposal.id).approved_by, w.a.leader)

    @with_transaction()
    def test_only_a_leader_enters_the_decision(self):
        "The decision number is the leader's, while the disposal waits"
        pool = Pool()
        Disposal = pool.get('mvp.dossier.disposal')
        w = World()
        disposal = w.disposal()
        with acting_as(w.a.leader):
            Disposal.write([Disposal(disposal.id)],
                {'decision': "15/QĐ-STTTT"})
            # what the disposal lists and why is fixed once submitted
            with self.refused():
                Disposal.write([Disposal(disposal.id)], {'reason': "Khác"})
        self.assertEqual(self.values(disposal, ['decision', 'reason']),
            {'decision': "15/QĐ-STTTT", 'reason': "Hết thời hạn bảo quản"})

    @with_transaction()
    def test_dossier_state_and_archive_fields_are_the_servers(self):
        "Nobody writes the state or archive fields of a dossier directly"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        w = World()
        names = ['state', 'closed_by', 'closed_date', 'handover_due',
            'handed_over_date', 'destroyed_date', 'handover_reminded']
        before = self.values(w.dossier, names)
        for employee in [w.a.officer1, w.a.head, w.a.leader]:
            for values in [{'state': 'closed'}, {'state': 'destroyed'},
                    {'closed_by': employee.id},
                    {'closed_date': dt.date.today()},
                    {'handover_due': dt.date.today()},
                    {'handed_over_date': dt.date.today()},
                    {'destroyed_date': dt.date.today()},
                    {'handover_reminded': True},
                    {'company': w.b.company.id}]:
                with self.subTest(employee=employee.rec_name, values=values):
                    with acting_as(employee), self.refused():
                        Dossier.write([Dossier(w.dossier.id)], values)
                    self.assertEqual(self.values(w.dossier, names), before)

    @with_transaction()
    def test_closed_dossier_cannot_be_reopened_by_a_write(self):
        "A closed dossier goes back to open only through the leader"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        w = World()
        w.close()
        for employee in [w.a.officer1, w.a.clerk, w.a.leader]:
            for values in [{'state': 'open'}, {'title': "Khác"},
                    {'expiry_date': dt.date(2016, 1, 1)}]:
                with self.subTest(employee=employee.rec_name, values=values):
                    with acting_as(employee), self.refused():
                        Dossier.write([Dossier(w.dossier.id)], values)
        self.assertEqual(
            self.values(w.dossier, ['state', 'title', 'expiry_date']),
            {'state': 'closed', 'title': "Hồ sơ chuyển đổi số",
                'expiry_date': dt.date(2020, 12, 31)})
        with acting_as(w.a.officer1), self.refused():
            Dossier.reopen([Dossier(w.dossier.id)])
        with acting_as(w.cross), self.refused():
            Dossier.reopen([Dossier(w.dossier.id)])
        with acting_as(w.a.leader):
            Dossier.reopen([Dossier(w.dossier.id)])
        self.assertEqual(self.values(w.dossier, ['state'])['state'], 'open')

    @with_transaction()
    def test_dossier_cannot_be_created_in_a_later_state(self):
        "A user's new dossier is open, with no archive data"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        w = World()
        handover = self._handover(w)
        for values in [{'state': 'closed'}, {'state': 'destroyed'},
                {'closed_by': w.a.officer1.id},
                {'handed_over_date': dt.date.today()},
                {'handover': handover.id}]:
            with self.subTest(values=values):
                with acting_as(w.a.officer1), self.refused():
                    Dossier.create([dict({
                                    'company': w.a.company.id,
                                    'year': 2026, 'code': '02.CNTT',
                                    'title': "Hồ sơ giả",
                                    'retention': '10',
                                    'responsible': w.a.officer1.id,
                                    }, **values)])
                self.assertEqual(
                    Dossier.search([('code', '=', '02.CNTT')]), [])

    @with_transaction()
    def test_dossier_rights_come_from_the_real_user(self):
        "A user cannot borrow the rights of another user by the context"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        w = World()
        owner, = w.a.officer1.users
        with acting_as(w.a.officer2), \
                Transaction().set_context(user=owner.id):
            self.assertEqual(Dossier.search([]), [])
            with self.refused():
                Dossier.write([Dossier(w.dossier.id)], {'title': "Khác"})
        self.assertEqual(self.values(w.dossier, ['title'])['title'],
            "Hồ sơ chuyển đổi số")

    @with_transaction()
    def test_who_sees_and_changes_a_dossier(self):
        "Search, read, write and delete of a dossier by each role"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        w = World()
        sees = {'clerk': False, 'officer': False, 'head': True,
            'leader': True, 'admin': False, 'other agency': False}
        for name, employee in w.everyone() + [('cross', w.cross)]:
            with self.subTest(role=name):
                with acting_as(employee):
                    visible = Dossier.search([]) == [w.dossier]
                    self.assertEqual(visible, sees.get(name, False))
                    if not visible:
                        with self.refused():
                            Dossier.read([w.dossier.id], ['title'])
                        with self.refused():
                            Dossier.write(
                                [Dossier(w.dossier.id)], {'title': "X"})
                        with self.refused():
                            Dossier.delete([Dossier(w.dossier.id)])
                        with self.refused():
                            Dossier.close([Dossier(w.dossier.id)])
        self.assertEqual(self.values(w.dossier, ['title', 'state']),
            {'title': "Hồ sơ chuyển đổi số", 'state': 'open'})

    @with_transaction()
    def test_reader_cannot_close_or_change_a_dossier(self):
        "A read share shows the dossier; it does not let close or edit it"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        Share = pool.get('mvp.dossier.share')
        w = World()
        reader, = w.a.officer2.users
        Share.create([{'dossier': w.dossier.id, 'user': reader.id}])
        with acting_as(w.a.officer2):
            self.assertEqual(Dossier.search([]), [w.dossier])
            with self.refused():
                Dossier.close([Dossier(w.dossier.id)])
            with self.refused():
                Dossier.write([Dossier(w.dossier.id)], {'title': "X"})
            with self.refused():
                Dossier.export_archive([Dossier(w.dossier.id)])
        self.assertEqual(self.values(w.dossier, ['title', 'state']),
            {'title': "Hồ sơ chuyển đổi số", 'state': 'open'})

    # 2. shares, rights logs, lines
    @with_transaction()
    def test_reader_cannot_raise_their_own_share(self):
        "A share is given only by the dossier's owners, never to oneself"
        pool = Pool()
        Share = pool.get('mvp.dossier.share')
        Dossier = pool.get('mvp.dossier')
        w = World()
        reader, = w.a.officer2.users
        other, = w.a.officer3.users
        share, = Share.create([{'dossier': w.dossier.id, 'user': reader.id}])
        with acting_as(w.a.officer2), \
                Transaction().set_context(_skip_warnings=True):
            with self.refused():
                Share.write([Share(share.id)], {'permission': 'edit'})
            with self.refused():
                Share.create([{'dossier': w.dossier.id, 'user': other.id,
                            'permission': 'edit'}])
            with self.refused():
                Share.delete([Share(share.id)])
            with self.refused():
                Dossier.write([Dossier(w.dossier.id)], {'shares': [
                            ('write', [share.id], {'permission': 'edit'})]})
        self.assertEqual(
            [(s.user, s.permission) for s in Share.search([])],
            [(reader, 'read')])
        # the clerk may see closed dossiers but does not give rights
        w.close()
        with acting_as(w.a.clerk), \
                Transaction().set_context(_skip_warnings=True), \
                self.refused():
            Share.create([{'dossier': w.dossier.id, 'user': other.id}])
        # an owner may; the user of a share is fixed
        with acting_as(w.a.officer1), \
                Transaction().set_context(_skip_warnings=True):
            Share.write([Share(share.id)], {'permission': 'edit'})
            with self.refused():
                Share.write([Share(share.id)], {'user': other.id})
        self.assertEqual(Share(share.id).permission, 'edit')

    @with_transaction()
    def test_editor_cannot_give_rights(self):
        "An edit share lets change the content, not who sees it"
        pool = Pool()
        Share = pool.get('mvp.dossier.share')
        Dossier = pool.get('mvp.dossier')
        w = World()
        editor, = w.a.officer2.users
        other, = w.a.officer3.users
        Share.create([{'dossier': w.dossier.id, 'user': editor.id,
                    'permission': 'edit'}])
        with acting_as(w.a.officer2), \
                Transaction().set_context(_skip_warnings=True):
            Dossier.write([Dossier(w.dossier.id)], {'title': "Hồ sơ mới"})
            with self.refused():
                Share.create([{'dossier': w.dossier.id, 'user': other.id}])
        self.assertEqual(len(Share.search([])), 1)

    @with_transaction()
    def test_rights_log_is_written_by_the_server_only(self):
        "Nobody creates, changes or deletes the rights history"
        pool = Pool()
        Share = pool.get('mvp.dossier.share')
        Log = pool.get('mvp.dossier.rights.log')
        w = World()
        reader, = w.a.officer2.users
        Share.create([{'dossier': w.dossier.id, 'user': reader.id}])
        log, = Log.search([])
        for employee in [w.a.officer1, w.a.leader]:
            with acting_as(employee):
                self.assertEqual(Log.search([]), [log])
                with self.refused():
                    Log.write([Log(log.id)], {'action': 'revoke'})
                with self.refused():
                    Log.delete([Log(log.id)])
                with self.refused():
                    Log.create([{'dossier': w.dossier.id, 'action': 'grant',
                                'date': dt.datetime.now()}])
        with acting_as(w.a.officer3):
            self.assertEqual(Log.search([]), [])
            with self.refused():
                Log.read([log.id], ['action'])
        self.assertEqual(Log.search([]), [log])
        self.assertEqual(log.action, 'grant')

    @with_transaction()
    def test_lines_follow_their_dossier(self):
        "Documents of a dossier are seen and changed as the dossier is"
        pool = Pool()
        Line = pool.get('mvp.dossier.line')
        w = World()
        lines = Line.search([('dossier', '=', w.dossier.id)])
        self.assertEqual(len(lines), 2)
        for name, employee in w.everyone():
            with self.subTest(role=name):
                with acting_as(employee):
                    found = Line.search([])
                    self.assertEqual(
                        set(found) == set(lines), name in {'head', 'leader'})
                    if not found:
                        with self.refused():
                            Line.read([lines[0].id], ['description'])
                    if name not in {'head', 'leader'}:
                        with self.refused():
                            Line.write([Line(lines[0].id)],
                                {'description': "X"})
                        with self.refused():
                            Line.delete([Line(lines[0].id)])
                    with self.refused():
                        Line.write([Line(lines[0].id)], {'number': 9})
                    with self.refused():
                        Line.write([Line(lines[0].id)],
                            {'dossier': self._other_dossier(w).id})
        self.assertEqual(
            [(l.number, l.description) for l in Line.browse(lines)],
            [(1, 'van-ban-0.pdf'), (2, 'van-ban-1.pdf')])

    @with_transaction()
    def test_lines_do_not_show_documents_the_reader_may_not_read(self):
        "A classified document's subject never reaches its dossier line"
        pool = Pool()
        Line = pool.get('mvp.dossier.line')
        Dossier = pool.get('mvp.dossier')
        Share = pool.get('mvp.dossier.share')
        w = World()
        a = w.a
        secret = a.assigned(
            [{'department': a.it, 'role': 'lead'},
                {'employee': a.officer3, 'role': 'info'}],
            confidentiality='secret', subject=None,
            notation='07/KH-MAT')
        ordinary = a.assigned([{'department': a.office, 'role': 'lead'}],
            subject="Về việc họp giao ban")
        with Transaction().set_context(company=a.company.id):
            dossier, = Dossier.create([{
                        'company': a.company.id, 'year': 2026,
                        'code': '05.VP', 'title': "Hồ sơ bảo mật",
                        'retention': '10',
                        'responsible': a.officer3.id}])
        with acting_as(a.officer3):
            Line.link(Dossier(dossier.id), [secret, ordinary])
        line, = Line.search([('document', '=', str(secret))])
        self.assertEqual(line.description, "Classified document")
        reader, = a.officer1.users
        Share.create([{'dossier': dossier.id, 'user': reader.id}])
        with acting_as(a.officer1):
            rows = Line.search_read([('dossier', '=', dossier.id)],
                fields_names=['description', 'notation', 'document',
                    'document.rec_name', 'rec_name'])
        self.assertEqual(len(rows), 2)
        for row in rows:
            self.assertIsNone(row['document'])
            self.assertIsNone(row.get('document.'))
            self.assertNotIn("07/KH-MAT", str(row))
            self.assertNotIn("giao ban", str(row))
        # the owner still sees what the documents are
        with acting_as(a.officer3):
            rows = Line.search_read([('dossier', '=', dossier.id)],
                fields_names=['document', 'description'])
        self.assertEqual({r['document'] for r in rows},
            {str(secret), str(ordinary)})

    @with_transaction()
    def test_documents_filed_must_be_readable(self):
        "A user files only the documents they may read"
        pool = Pool()
        Line = pool.get('mvp.dossier.line')
        w = World()
        secret = w.a.assigned(
            [{'employee': w.a.officer3, 'role': 'lead'}],
            confidentiality='secret', subject=None)
        with acting_as(w.a.officer1), self.refused():
            Line.create([{'dossier': w.dossier.id,
                        'document': str(secret)}])
        line = Line.search([('dossier', '=', w.dossier.id)])[0]
        with acting_as(w.a.officer1), self.refused():
            Line.write([Line(line.id)], {'document': str(secret)})
        self.assertEqual(
            Line.search_count([('document', '=', str(secret))]), 0)

    # 4. wizard
    def _link(self, employee, model, ids, dossier_id):
        pool = Pool()
        Wizard = pool.get('mvp.dossier.link', type='wizard')
        with acting_as(employee, access=False), \
                Transaction().set_context(active_model=model,
                    active_id=ids[0], active_ids=ids):
            session_id, _, _ = Wizard.create()
            Wizard.execute(session_id,
                {'start': {'dossier': dossier_id}}, 'link')

    @with_transaction()
    def test_link_wizard_checks_the_dossier_and_documents(self):
        "The dossier and documents of the link wizard are re-checked"
        pool = Pool()
        Line = pool.get('mvp.dossier.line')
        w = World()
        a = w.a
        ordinary = a.assigned([{'department': a.it, 'role': 'lead'}])
        secret = a.assigned(
            [{'employee': a.officer3, 'role': 'lead'}],
            confidentiality='secret', subject=None)
        closed = self._other_dossier(w, responsible=a.officer1)
        w.close(closed)
        other_agency = self._other_dossier(w, company=w.b.company,
            responsible=w.b.officer1)
        for name, employee, document, dossier in [
                ("not an editor", a.officer2, ordinary, w.dossier),
                ("closed dossier", a.officer1, ordinary, closed),
                ("other agency", a.officer1, ordinary, other_agency),
                ("unreadable document", a.officer1, secret, w.dossier),
                ("stranger", w.b.officer1, ordinary, other_agency),
                ]:
            with self.subTest(attempt=name):
                with self.refused():
                    self._link(employee, 'mvp.incoming', [document.id],
                        dossier.id)
                self.assertEqual(Line.search_count(
                        [('document', '=', str(document))]), 0)
        self._link(a.officer1, 'mvp.incoming', [ordinary.id], w.dossier.id)
        self.assertEqual(Line.search_count(
                [('document', '=', str(ordinary))]), 1)

    # 5. buttons of the archive
    def _handover(self, w):
        Handover = Pool().get('mvp.dossier.handover')
        with Transaction().set_context(company=w.a.company.id):
            handover, = Handover.create([{'company': w.a.company.id}])
        return handover

    def _other_dossier(self, w, company=None, responsible=None,
            code='09.VP'):
        Dossier = Pool().get('mvp.dossier')
        company = company or w.a.company
        dossier, = Dossier.create([{
                    'company': company.id, 'year': 2026, 'code': code,
                    'title': "Hồ sơ khác", 'retention': '10',
                    'responsible': (responsible or w.a.officer3).id,
                    'start_date': dt.date(2026, 1, 5)}])
        File = Pool().get('mvp.document.file')
        File.create([{'resource': str(dossier), 'name': 'x.pdf',
                    'data': PDF}])
        return dossier

    @with_transaction()
    def test_handover_takes_only_due_dossiers_of_its_agency(self):
        "The clerk adds to a hand-over only closed dossiers that are due"
        pool = Pool()
        Handover = pool.get('mvp.dossier.handover')
        Dossier = pool.get('mvp.dossier')
        w = World()
        handover = self._handover(w)
        opened = self._other_dossier(w)
        with acting_as(w.a.clerk), self.refused():
            Handover.write([Handover(handover.id)],
                {'dossiers': [('add', [opened.id])]})
        self.assertIsNone(Dossier(opened.id).handover)
        w.close()
        with acting_as(w.a.clerk):
            Handover.write([Handover(handover.id)],
                {'dossiers': [('add', [w.dossier.id])]})
            for values in [{'state': 'done'},
                    {'handed_over_by': w.a.clerk.id},
                    {'company': w.b.company.id}]:
                with self.subTest(values=values), self.refused():
                    Handover.write([Handover(handover.id)], values)
        with acting_as(w.cross), self.refused():
            Handover.hand_over([Handover(handover.id)])
        self.assertEqual(self.values(handover, ['state'])['state'], 'draft')
        with acting_as(w.a.clerk):
            Handover.hand_over([Handover(handover.id)])
            with self.refused():
                Handover.write([Handover(handover.id)],
                    {'archivist': "Người khác"})
            with self.refused():
                Handover.create([{'company': w.a.company.id,
                            'state': 'done'}])
        self.assertEqual(Dossier(w.dossier.id).state, 'handed_over')

    @with_transaction()
    def test_dossier_list_approval_is_the_leaders(self):
        "An approved list and its entries change only through the leader"
        pool = Pool()
        List = pool.get('mvp.dossier.list')
        Entry = pool.get('mvp.dossier.list.entry')
        w = World()
        with Transaction().set_context(company=w.a.company.id):
            list_, = List.create([{'company': w.a.company.id,
                        'year': 2026, 'name': "Danh mục 2026",
                        'entries': [('create', [{'code': '01.VP',
                                            'title': "Hồ sơ giao ban",
                                            'retention': '10'}])]}])
        entry, = list_.entries
        with acting_as(w.a.officer1):
            for values in [{'state': 'approved'},
                    {'approved_by': w.a.leader.id},
                    {'approved_date': dt.date.today()}]:
                with self.subTest(values=values), self.refused():
                    List.write([List(list_.id)], values)
            with self.refused():
                List.create([{'company': w.a.company.id, 'year': 2027,
                            'name': "Giả", 'state': 'approved'}])
            with self.refused():
                List.approve([List(list_.id)])
        with acting_as(w.cross), self.refused():
            List.approve([List(list_.id)])
        self.assertEqual(self.values(list_, ['state'])['state'], 'draft')
        with acting_as(w.a.leader):
            List.approve([List(list_.id)])
        with acting_as(w.a.officer1):
            with self.refused():
                Entry.write([Entry(entry.id)], {'title': "Khác"})
            with self.refused():
                Entry.create([{'list': list_.id, 'code': '02.VP',
                            'title': "Thêm", 'retention': '5'}])
            with self.refused():
                Entry.delete([Entry(entry.id)])
            with self.refused():
                List.write([List(list_.id)], {'name': "Khác"})
        with acting_as(w.b.leader):
            self.assertEqual(Entry.search([]), [])
            with self.refused():
                Entry.read([entry.id], ['title'])
        self.assertEqual(self.values(entry, ['title'])['title'],
            "Hồ sơ giao ban")


class DossierExportRouteTestCase(
        ExportDirMixin, AttackMixin, unittest.TestCase):
    """The dossier export route, called over HTTP: the route runs its own
    transaction, so the data is committed first and the class has its own
    database"""

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('mvp_dossier')

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @contextmanager
    def committed(self):
        "A transaction whose changes the route sees"
        with Transaction().start(DB_NAME, 1) as transaction:
            yield
            transaction.commit()

    def _get(self, url, headers=None):
        parts = urllib.parse.urlsplit(url)
        path = urllib.parse.unquote(parts.path)
        path = path[path.index('/%s/' % DB_NAME):]
        return Client(app).get(path, query_string=parts.query,
            headers=headers or {})

    def _session(self, employee):
        pool = Pool()
        Session = pool.get('ir.session')
        user, = employee.users
        with Transaction().set_user(user.id):
            key = Session.new()
        token = base64.b64encode(
            ('%s:%s:%s' % (user.login, user.id, key)).encode()).decode()
        return {'Authorization': 'Session ' + token}

    def _export(self, w):
        "Export the dossier as its responsible official"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        Export = pool.get('mvp.dossier.export')
        w.close()
        with acting_as(w.a.officer1):
            Dossier.export_archive([Dossier(w.dossier.id)])
            export, = Export.search([('dossier', '=', w.dossier.id)])
            url = Export(export.id).url
        return Export(export.id), url

    def _downloads(self, export):
        "Return the recorded downloads of export (other tests add theirs)"
        with Transaction().start(DB_NAME, 1):
            Download = Pool().get('mvp.dossier.export.download')
            return [(d.user.id, d.export.id, d.dossier.id)
                for d in Download.search([('export', '=', export.id)])]

    @staticmethod
    def _replace(url, key, value):
        parts = urllib.parse.urlsplit(url)
        query = dict(urllib.parse.parse_qsl(parts.query))
        query[key] = str(value)
        return urllib.parse.urlunsplit(
            parts._replace(query=urllib.parse.urlencode(query)))

    def test_export_link_is_signed_for_its_user_and_expires(self):
        "The download needs the user's link or session and their rights"
        with self.committed():
            Export = Pool().get('mvp.dossier.export')
            w = World(prefix='link_')
            export, url = self._export(w)
            owner, = w.a.officer1.users
            self.assertIn('user=%s' % owner.id, url)
            self.assertNotIn(export.token, url)
            stranger, = w.b.leader.users
            colleague, = w.a.officer2.users
            bare = url.split('?')[0]
            attempts = [
                ("no credentials", bare, 401),
                ("old token link", bare.rsplit('/', 1)[0] + '/'
                    + export.token, 405),
                ("forged user", url.replace(
                        'user=%s' % owner.id, 'user=%s' % stranger.id), 403),
                ("later expiry", self._replace(url, 'expires', 1 << 40),
                    403),
                ("bad signature", self._replace(url, 'signature', 'a' * 64),
                    403),
                ("expired", Export.signed_url(
                        export, owner.id, dt.datetime.now()
                        - dt.timedelta(minutes=1)), 410),
                ("link of another agency's user", Export.signed_url(
                        export, stranger.id), 403),
                ("link of an officer without rights", Export.signed_url(
                        export, colleague.id), 403),
                ("link of root", Export.signed_url(export, 0), 403),
                ]
            expected = [(owner.id, export.id, w.dossier.id)]

        response = self._get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.mimetype, 'application/zip')
        self.assertTrue(response.data.startswith(b'PK'))
        self.assertEqual(self._downloads(export), expected)

        for name, target, status in attempts:
            with self.subTest(attempt=name):
                response = self._get(target)
                self.assertEqual(response.status_code, status)
                self.assertNotEqual(response.data[:2], b'PK')
        self.assertEqual(self._downloads(export), expected)

    def test_export_route_with_a_session(self):
        "A session of the user works; another agency's session does not"
        with self.committed():
            w = World(prefix='session_')
            export, url = self._export(w)
            bare = url.split('?')[0]
            owner = self._session(w.a.officer1)
            stranger = self._session(w.b.leader)
            colleague = self._session(w.a.officer2)
        before = len(self._downloads(export))
        self.assertEqual(self._get(bare, owner).status_code, 200)
        self.assertEqual(self._get(bare, stranger).status_code, 403)
        self.assertEqual(self._get(bare, colleague).status_code, 403)
        # a session of someone else wins over the link of the owner
        self.assertEqual(self._get(url, stranger).status_code, 403)
        self.assertEqual(len(self._downloads(export)), before + 1)

    @with_transaction()
    def test_export_token_is_not_readable(self):
        "The secret of an export never leaves the server"
        Export = Pool().get('mvp.dossier.export')
        w = World(prefix='token_')
        export, _ = self._export(w)
        for name in ['token', 'path']:
            with self.subTest(field=name):
                with acting_as(w.a.officer1), self.refused():
                    Export.read([export.id], [name])
        with acting_as(w.a.officer1), self.refused():
            Export.search([('token', '=', export.token)])
