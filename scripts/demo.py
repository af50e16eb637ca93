#!/usr/bin/env python3
# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""`make demo`: build the SQLite demo database once, then run the system.

Starts an SMTP sink (mail goes to var/demo/mail.log), trytond with the
web client on http://127.0.0.1:8000 and trytond-cron; Ctrl-C stops them.
"""
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODULES = ['mvp_documents', 'mvp_capture', 'mvp_dossier', 'mvp_meeting',
    'mvp_signature', 'mvp_interchange', 'mvp_reporting', 'mvp_security']
DATABASE = 'mvp_demo'
ADMIN_PASSWORD = 'MvpAdmin@2026'
ROLE_LABELS = {
    'leader': "Lãnh đạo cơ quan",
    'office_chief': "Chánh Văn phòng (quản trị cơ quan)",
    'clerk': "Văn thư",
    'head': "Trưởng phòng",
    'officer': "Chuyên viên",
    'officer2': "Chuyên viên",
    'province_admin': "Quản trị hệ thống cấp tỉnh",
    }


def trytond_admin(config, database, *args, env=None):
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write(ADMIN_PASSWORD + '\n')
        passfile.flush()
        env = dict(env or os.environ, TRYTONPASSFILE=passfile.name)
        subprocess.run([str(BIN / 'trytond-admin'), '-c', str(config),
                '-d', database, *args], check=True, cwd=ROOT, env=env)


def build_database(config, database, db_path, env=None):
    """Create the database with every module, Vietnamese and demo data."""
    db_path.mkdir(parents=True, exist_ok=True)
    db_file = db_path / ('%s.sqlite' % database)
    db_file.touch()  # the SQLite backend refuses a missing file
    try:
        trytond_admin(config, database, '-u', *MODULES,
            '--activate-dependencies', '--email', 'admin@demo.thaibinh.gov.vn',
            env=env)
        load_translations(config, database, env)
        return load_demo_data(config, database, env)
    except BaseException:
        db_file.unlink(missing_ok=True)
        raise


def load_translations(config, database, env=None):
    script = ROOT / 'scripts' / 'load_translations.py'
    if script.exists():
        subprocess.run([sys.executable, str(script), '--config', str(config),
                '--database', database], check=True, cwd=ROOT, env=env)
    else:
        trytond_admin(config, database, '-l', 'vi', env=env)


def load_demo_data(config, database, env=None):
    code = ("import json, sys; sys.path.insert(0, %r);"
        "from scripts.demo import _load; print(json.dumps(_load(%r, %r)))"
        % (str(ROOT), str(config), database))
    result = subprocess.run([sys.executable, '-c', code], check=True,
        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    import json
    return json.loads(result.stdout.strip().splitlines()[-1])


def _load(config, database):
    from trytond.config import config as trytond_config
    trytond_config.update_etc(config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from scripts import demo_data, demo_documents
    pool = Pool(database)
    pool.init()
    only = os.environ.get('MVP_DEMO_AGENCIES')
    only = set(only.split(',')) if only else None
    # Registering takes the register sequences' table lock, which trytond
    # asks for at the start of the transaction.
    lock = [pool.get('mvp.register.sequence')._table]
    with Transaction().start(database, 0, context={'language': 'vi'},
            _lock_tables=lock) as transaction:
        agencies, logins = demo_data.load(pool, only=only)
        demo_documents.load(pool, agencies)
        province_login = _load_province(pool, agencies)
        _finish_setup(pool)
        transaction.commit()
        return [(ROLE_LABELS[r], login, agency)
            for r, login, agency in logins] + [
            (ROLE_LABELS['province_admin'], province_login,
                agencies['UBND'].rec_name)]


def _load_province(pool, agencies):
    from scripts.demo_data import DEMO_PASSWORD
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    groups = [ModelData.get_id('mvp_documents', 'group_mvp_province_admin'),
        ModelData.get_id('company', 'group_company_admin'),
        ModelData.get_id('company', 'group_employee_admin')]
    province = agencies['UBND']
    User.create([{
                'name': "Quản trị hệ thống tỉnh", 'login': 'qt.tinh',
                'password': DEMO_PASSWORD,
                'email': 'qt.tinh@demo.thaibinh.gov.vn',
                'companies': [('add', [a.id for a in agencies.values()])],
                'company': province.id,
                'groups': [('add', groups)],
                }])
    return 'qt.tinh'


def _finish_setup(pool):
    Lang = pool.get('ir.lang')
    User = pool.get('res.user')
    Configuration = pool.get('ir.configuration')
    ConfigItem = pool.get('ir.module.config_wizard.item')
    vi, = Lang.search([('code', '=', 'vi')])
    configuration = Configuration(1)
    configuration.language = 'vi'
    configuration.save()
    User.write(User.search([]), {'language': vi.id})
    # The first admin login would open the module configuration wizard
    ConfigItem.write(ConfigItem.search([]), {'state': 'done'})


def wait_http(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return True
        except Exception:
            time.sleep(0.5)
    return False


def start_smtp_sink(smtp_log, env=None):
    "Start the SMTP sink of the demo: every mail is written to smtp_log"
    return subprocess.Popen([sys.executable, '-m', 'aiosmtpd', '-n',
            '-l', '127.0.0.1:8025', '-c', 'aiosmtpd.handlers.Debugging'],
        cwd=ROOT, env=env, stdout=open(smtp_log, 'a'),
        stderr=subprocess.STDOUT, start_new_session=True)


def start(config, database, env=None, cron=True):
    """Start trytond (and cron); return the processes."""
    env = dict(env or os.environ)
    processes = []
    processes.append(subprocess.Popen([str(BIN / 'trytond'), '-c',
                str(config), '-d', database], cwd=ROOT, env=env,
            start_new_session=True))
    if cron:
        processes.append(subprocess.Popen([str(BIN / 'trytond-cron'), '-c',
                    str(config), '-d', database], cwd=ROOT, env=env,
                start_new_session=True))
    return processes


def stop(processes):
    """Stop the processes and their children: each was started in a
    session of its own (trytond-cron forks workers that would outlive it)"""
    for process in processes:
        signal_group(process, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            signal_group(process, signal.SIGKILL)
            process.wait()
        # the forked children of a process that has exited
        signal_group(process, signal.SIGKILL)


def signal_group(process, signum):
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def print_logins(logins):
    print("\nMVP Office — Văn phòng điện tử: http://127.0.0.1:8000/")
    print("Cơ sở dữ liệu: %s    Mật khẩu mọi tài khoản demo: %s" % (
            DATABASE, __import__('scripts.demo_data').demo_data
            .DEMO_PASSWORD))
    print("%-38s %-14s %s" % ("Vai trò", "Đăng nhập", "Cơ quan"))
    for role, login, agency in logins:
        print("%-38s %-14s %s" % (role, login, agency))
    print("%-38s %-14s %s" % ("Quản trị Tryton (admin)", 'admin',
            "mật khẩu " + ADMIN_PASSWORD))
    print("\nCtrl-C để dừng.\n", flush=True)


def effective_config(source, target, **overrides):
    """Write source with absolute paths (and overrides) to target.

    trytond takes [database] path and [web] root as given; the SQLite
    backend cannot open a relative path, so resolve them against ROOT.
    """
    import configparser
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(source)
    for section, option in [('database', 'path'), ('web', 'root'),
            ('password', 'forbidden'), ('secrets', 'key_file')]:
        if parser.has_option(section, option):
            parser.set(section, option,
                str((ROOT / parser.get(section, option)).resolve()))
    for key, value in overrides.items():
        section, option = key.split('__')
        if not parser.has_section(section):
            parser.add_section(section)
        parser.set(section, option, value)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, 'w') as fp:
        parser.write(fp)
    return target


def ensure_secret_key(path):
    """Write a new key of the stored secrets to path unless there is one
    (the demo's agency key PINs, mailbox passwords, exchange keys)"""
    if path.exists():
        return
    from trytond.modules.mvp_documents.secret import generate_key
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, 'w') as file:
        file.write(generate_key() + '\n')


def missing_modules(db_file):
    """Return the modules of MODULES that the database has not activated
    (a database built before a module was added or split out)"""
    import sqlite3
    with contextlib.closing(sqlite3.connect(db_file)) as connection:
        try:
            activated = {name for name, in connection.execute(
                        "SELECT name FROM ir_module "
                        "WHERE state = 'activated'")}
        except sqlite3.DatabaseError:
            return list(MODULES)
    return [m for m in MODULES if m not in activated]


def set_aside_outdated(db_file):
    """Move a demo database that lacks some modules aside, so that it is
    built again; tell which modules and where the old file went."""
    if not db_file.exists():
        return
    missing = missing_modules(db_file)
    if not missing:
        return
    old = db_file.with_suffix('.sqlite.old')
    db_file.replace(old)
    print("The demo database %s was built before the modules %s existed "
        "(the module split of MVP Office): it is rebuilt now; the old "
        "file is kept as %s." % (db_file.name, ', '.join(missing),
            old.name), flush=True)


def main():
    sys.path.insert(0, str(ROOT))
    db_path = ROOT / 'var' / 'demo'
    config = effective_config(ROOT / 'config' / 'demo.conf',
        db_path / 'trytond.conf')
    logins_file = db_path / 'logins.json'
    import json
    env = dict(os.environ, TZ='Asia/Ho_Chi_Minh')
    db_path.mkdir(parents=True, exist_ok=True)
    ensure_secret_key(db_path / 'secret.key')
    # first, so that the notifications of the demo documents are delivered
    processes = [start_smtp_sink(db_path / 'mail.log', env)]
    set_aside_outdated(db_path / ('%s.sqlite' % DATABASE))
    if not (db_path / ('%s.sqlite' % DATABASE)).exists():
        print("Creating the demo database (about a minute)...", flush=True)
        try:
            logins = build_database(config, DATABASE, db_path)
        except BaseException:
            stop(processes)
            raise
        logins_file.write_text(json.dumps(logins, ensure_ascii=False))
    else:
        print("Reusing the demo database var/demo/%s.sqlite "
            "(`make demo-reset` rebuilds it)." % DATABASE)
        logins = json.loads(logins_file.read_text())
    processes += start(config, DATABASE, env=env)
    stopping = []

    def terminate(*args):
        stopping.append(True)
    signal.signal(signal.SIGTERM, terminate)
    try:
        if not wait_http('http://127.0.0.1:8000/'):
            print("The server did not start; see the messages above.")
            return 1
        print_logins(logins)
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping MVP Office...")
        stop(processes)
    return 0


if __name__ == '__main__':
    sys.exit(main())
