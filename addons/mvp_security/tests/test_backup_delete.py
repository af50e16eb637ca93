# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 17 item 2: deleting a backup by hand asks for the second factor
of a provincial administrator (mvp-backup-delete, run as the operator
does, on the database the environment names)."""
import contextlib
import io
import json
import os
import shutil
import tempfile

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME

from .test_totp import SecondFactorConfig, code_of, wrong_code
from .tools import SignInCase, audit, committed


class BackupDeleteTestCase(SecondFactorConfig, SignInCase):
    "mvp-backup-delete: the archive goes only with a current code"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with committed():
            SecondFactor = Pool().get('mvp.security.second_factor')
            factor = SecondFactor.get_or_create(cls.province_admin)
            cls.secret = factor.begin()
            factor.activate(code_of(cls.secret, -1))

    def setUp(self):
        super().setUp()
        self.target = tempfile.mkdtemp(prefix='mvp-backup-delete-')
        self.copy = tempfile.mkdtemp(prefix='mvp-backup-copy-')
        self.addCleanup(shutil.rmtree, self.target, True)
        self.addCleanup(shutil.rmtree, self.copy, True)
        self.archives = ['%s-2026120%s-020000.mvpbackup' % (DB_NAME, d)
            for d in (1, 2, 3)]
        for name in self.archives:
            for directory in (self.target, self.copy):
                with open(os.path.join(directory, name), 'wb') as file:
                    file.write(os.urandom(64))

    def delete(self, archive, login='province.admin', code=None):
        "Run mvp-backup-delete; return its exit status and what it printed"
        from trytond.modules.mvp_security.backup_delete import main
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            status = main(['-d', DB_NAME, '--target', self.target,
                    '--copy-to', self.copy, '--login', login,
                    '--code', code or code_of(self.secret), archive])
        return status, out.getvalue() + err.getvalue()

    def present(self, archive):
        return [os.path.exists(os.path.join(d, archive))
            for d in (self.target, self.copy)]

    def test_wrong_code_deletes_nothing(self):
        status, said = self.delete(self.archives[0],
            code=wrong_code(self.secret))
        self.assertEqual(status, 2)
        self.assertIn("Mã không đúng hoặc đã hết hạn", said)
        self.assertEqual(self.present(self.archives[0]), [True, True])
        self.assertEqual(audit('totp_failed', 'province.admin')[-1][
                'details'], 'backup deletion')

    def test_current_code_deletes_the_archive_and_its_copy(self):
        code = code_of(self.secret, 1)
        status, said = self.delete(self.archives[0], code=code)
        self.assertEqual(status, 0, said)
        self.assertEqual(self.present(self.archives[0]), [False, False])
        self.assertEqual(self.present(self.archives[1]), [True, True])
        deleted, = audit('backup_delete', 'province.admin')
        self.assertEqual((deleted['account'], deleted['details']),
            (self.province_admin, self.archives[0]))
        with open(os.path.join(self.target, 'backup.log')) as log:
            entry = json.loads(log.readlines()[-1])
        self.assertEqual((entry['outcome'], entry['archive'], entry['by']),
            ('deleted', self.archives[0], 'province.admin'))
        # the same code again: replayed, nothing more deleted
        status, said = self.delete(self.archives[1], code=code)
        self.assertEqual(status, 2)
        self.assertIn("Mã này đã được dùng", said)
        self.assertEqual(self.present(self.archives[1]), [True, True])

    def test_agency_administrator_is_refused(self):
        status, said = self.delete(self.archives[0], login='agency.admin')
        self.assertEqual(status, 2)
        self.assertIn("Chỉ quản trị viên cấp tỉnh được xóa bản sao lưu",
            said)
        self.assertEqual(self.present(self.archives[0]), [True, True])
        self.assertTrue(audit('backup_delete_refused', 'agency.admin'))
        status, _ = self.delete(self.archives[0], login='nobody')
        self.assertEqual(status, 2)
        self.assertTrue(audit('backup_delete_refused', 'nobody'))

    def test_unknown_and_last_archives_are_kept(self):
        status, said = self.delete('../etc-passwd.mvpbackup')
        self.assertEqual(status, 2)
        self.assertIn("Không có bản sao lưu", said)
        for name in self.archives[1:]:
            os.remove(os.path.join(self.target, name))
        status, said = self.delete(self.archives[0])
        self.assertEqual(status, 2)
        self.assertIn("bản sao lưu duy nhất", said)
        self.assertEqual(self.present(self.archives[0]), [True, True])
