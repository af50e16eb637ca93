# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""`make demo` finds a demo database built before the module split."""
import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts import demo  # noqa: E402


def _database(path, modules):
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE ir_module (name VARCHAR, state VARCHAR)")
        connection.executemany("INSERT INTO ir_module VALUES (?, ?)",
            [(m, 'activated') for m in modules])
    connection.close()


@pytest.mark.once
def test_a_database_from_before_the_split_is_set_aside(tmp_path, capsys):
    db_file = tmp_path / 'mvp_demo.sqlite'
    _database(db_file, ['mvp_documents', 'mvp_signature',
            'mvp_interchange', 'mvp_reporting'])
    demo.set_aside_outdated(db_file)
    assert not db_file.exists()
    assert (tmp_path / 'mvp_demo.sqlite.old').exists()
    message = capsys.readouterr().out
    for module in ['mvp_capture', 'mvp_dossier', 'mvp_meeting']:
        assert module in message
    assert 'rebuilt' in message


@pytest.mark.once
def test_a_current_database_is_kept(tmp_path, capsys):
    db_file = tmp_path / 'mvp_demo.sqlite'
    _database(db_file, demo.MODULES)
    demo.set_aside_outdated(db_file)
    assert db_file.exists()
    assert capsys.readouterr().out == ''


@pytest.mark.once
def test_a_file_that_is_no_database_is_rebuilt(tmp_path):
    db_file = tmp_path / 'mvp_demo.sqlite'
    db_file.write_bytes(b'not a database at all' * 100)
    assert demo.missing_modules(db_file) == demo.MODULES
    demo.set_aside_outdated(db_file)
    assert not db_file.exists()


@pytest.mark.once
def test_the_demo_makes_its_secret_key_once_and_its_config_reads_it(
        tmp_path):
    from cryptography.fernet import Fernet
    key_file = tmp_path / 'secret.key'
    demo.ensure_secret_key(key_file)
    key = key_file.read_text()
    Fernet(key.strip())
    assert key_file.stat().st_mode & 0o777 == 0o600
    demo.ensure_secret_key(key_file)
    assert key_file.read_text() == key
    config = demo.effective_config(demo.ROOT / 'config' / 'demo.conf',
        tmp_path / 'trytond.conf')
    assert ('key_file = %s' % (demo.ROOT / 'var' / 'demo' / 'secret.key')
        ) in config.read_text()
