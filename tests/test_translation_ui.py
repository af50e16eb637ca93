# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The interface an official meets is in Vietnamese.

Builds a real database (SQLite file in a temporary folder, or PostgreSQL
when TRYTOND_DATABASE__URI points to it) with mvp_documents and Vietnamese
as the default language, runs scripts/load_translations.py as demo.py
does, and reads core strings back in Vietnamese; then checks that the web
client's vi.json translates every string of sao's messages.pot.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'scripts'))

import build_webroot  # noqa: E402

SAO_POT = ROOT / 'node_modules' / 'tryton-sao' / 'locale' / 'messages.pot'

# Run in a fresh process: reads back what an official would see.
CHECK = r'''
import json, sys
from trytond import config
config.update_etc(sys.argv[1])
from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.transaction import Transaction

database = sys.argv[2]
Pool.start()
pool = Pool(database)
pool.init()
seen = {}
with Transaction().start(database, 0, context={'language': 'vi'}):
    ModelData = pool.get('ir.model.data')
    Menu = pool.get('ir.ui.menu')
    User = pool.get('res.user')
    Group = pool.get('res.group')
    Translation = pool.get('ir.translation')
    menu = Menu(ModelData.get_id('ir', 'menu_administration'))
    seen['menu'] = menu.name
    seen['menu_rows'] = Translation.search_count([
            ('lang', '=', 'vi'), ('name', '=', 'ir.ui.menu,name'),
            ('res_id', '=', menu.id)])
    seen['menu_users'] = Menu(ModelData.get_id('res', 'menu_user_form')).name
    seen['login'] = User.fields_get(['login'])['login']['string']
    seen['user_model'] = pool.get('ir.model').get_name('res.user')
    user, = User.create([{'name': 'Nguyễn Văn An', 'login': 'an'}])
    with Transaction().set_user(user.id), \
            Transaction().set_context(_check_access=True):
        try:
            User.create([{'name': 'X', 'login': 'x'}])
        except UserError as exception:
            seen['access'] = exception.message
    try:
        Group.create([{}])
    except UserError as exception:
        seen['required'] = exception.message
print(json.dumps(seen, ensure_ascii=False))
'''


def backend_uri():
    uri = os.environ.get('TRYTOND_DATABASE__URI', 'sqlite://')
    return uri if uri.startswith('postgresql') else 'sqlite://'


class TranslationUITestCase(unittest.TestCase):
    "Core Tryton strings in Vietnamese on a freshly built database"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix='mvp-translation-')
        tmp = Path(cls.tmp.name)
        cls.uri = backend_uri()
        cls.database = 'test_translation_ui_%s' % os.getpid()
        cls.config = tmp / 'trytond.conf'
        cls.config.write_text(
            '[database]\nuri = %s\npath = %s\nlanguage = vi\n' % (
                cls.uri, tmp))
        (tmp / 'password').write_text('admin-password\n')
        cls.env = {k: v for k, v in os.environ.items()
            if not k.startswith('TRYTOND_') and k != 'DB_NAME'}
        cls.env.update({
                'TRYTOND_CONFIG': str(cls.config),
                'TRYTONPASSFILE': str(tmp / 'password'),
                })
        if cls.uri.startswith('postgresql'):
            cls._postgresql('CREATE DATABASE "%s"')
        else:
            (tmp / ('%s.sqlite' % cls.database)).touch()
        cls.run_python('from trytond.cli.admin import main; main()',
            '-c', str(cls.config), '-d', cls.database,
            '-u', 'mvp_documents', '--activate-dependencies',
            '--email', 'admin@example.com')
        cls.run_python(
            'import runpy; runpy.run_path(%r, run_name="__main__")'
            % str(ROOT / 'scripts' / 'load_translations.py'),
            '--config', str(cls.config), '--database', cls.database)
        # A second run must not duplicate rows (an empty duplicate hides
        # the translation on SQLite)
        cls.run_python(
            'import runpy; runpy.run_path(%r, run_name="__main__")'
            % str(ROOT / 'scripts' / 'load_translations.py'),
            '--config', str(cls.config), '--database', cls.database)
        output = cls.run_python(CHECK, str(cls.config), cls.database)
        cls.seen = json.loads(output.strip().splitlines()[-1])

    @classmethod
    def tearDownClass(cls):
        if cls.uri.startswith('postgresql'):
            cls._postgresql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)')
        cls.tmp.cleanup()

    @classmethod
    def _postgresql(cls, statement):
        import psycopg
        with psycopg.connect(cls.uri + 'postgres', autocommit=True) as conn:
            conn.execute(statement % cls.database)

    @classmethod
    def run_python(cls, code, *args):
        process = subprocess.run([sys.executable, '-c', code, *args],
            cwd=ROOT, env=cls.env, capture_output=True, text=True)
        if process.returncode:
            raise AssertionError("%s failed:\n%s" % (
                    ' '.join(args[:4]), process.stderr[-3000:]))
        return process.stdout

    def test_administration_menu_is_vietnamese(self):
        self.assertEqual(self.seen['menu'], "Quản trị")
        self.assertEqual(self.seen['menu_users'], "Người dùng")
        self.assertEqual(self.seen['menu_rows'], 1)

    def test_user_login_label_is_vietnamese(self):
        self.assertEqual(self.seen['login'], "Tên đăng nhập")
        self.assertEqual(self.seen['user_model'], "Người dùng")

    def test_access_error_is_vietnamese(self):
        self.assertEqual(self.seen['access'],
            'Bạn không có quyền truy cập "Người dùng".')

    def test_required_field_error_is_vietnamese(self):
        self.assertIn("bắt buộc", self.seen['required'])
        self.assertIn('"Tên"', self.seen['required'])


@unittest.skipUnless(SAO_POT.is_file(),
    "sao is not installed: npm install tryton-sao@8.0.11 (make webroot)")
class WebClientTranslationTestCase(unittest.TestCase):
    "sao's own strings in Vietnamese"

    @classmethod
    def setUpClass(cls):
        build_webroot.build()
        web_root = build_webroot.WEB_ROOT
        cls.messages = json.loads(
            (web_root / 'locale' / 'vi.json').read_text(encoding='utf-8'))
        cls.custom_js = (web_root / 'custom.js').read_text(encoding='utf-8')

    def test_every_sao_string_is_translated(self):
        missing = []
        for entry in polib.pofile(str(SAO_POT)):
            key = entry.msgid
            if entry.msgctxt:
                key = entry.msgctxt + '\x04' + key
            value = self.messages.get(key)
            if entry.msgid_plural:
                ok = value and len(value) >= 2 and all(value[1:])
            else:
                ok = value and value[0] is None and value[1]
            if not ok:
                missing.append(entry.msgid)
        self.assertEqual(missing, [])

    def test_headers_give_vietnamese_plural_forms(self):
        self.assertEqual(self.messages['']['language'], 'vi')
        self.assertEqual(self.messages['']['plural-forms'],
            'nplurals=1; plural=0;')

    def test_login_page_defaults_to_vietnamese(self):
        self.assertEqual(self.messages['Login'], [None, "Đăng nhập"])
        self.assertIn('lang || "vi"', self.custom_js)
        self.assertIn("Văn phòng điện tử", self.custom_js)
