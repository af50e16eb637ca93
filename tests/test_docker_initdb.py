# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""docker/initdb run as the postgres image runs it, on a real server: the
application's role owns its database but is no superuser."""
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INITDB = ROOT / 'docker' / 'initdb'
PG = dict(host='127.0.0.1', port=5432, user='postgres')


@pytest.fixture
def fresh_database():
    psycopg = pytest.importorskip('psycopg')
    if not shutil.which('psql'):
        pytest.skip("psql is not installed (Debian package postgresql)")
    try:
        admin = psycopg.connect(dbname='postgres', autocommit=True, **PG)
    except psycopg.OperationalError as exception:
        pytest.skip("PostgreSQL does not answer: %s" % exception)
    name = 'test_initdb_' + uuid.uuid4().hex[:8]
    admin.execute('CREATE DATABASE "%s"' % name)
    try:
        yield psycopg, name
    finally:
        admin.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        admin.execute('DROP ROLE IF EXISTS "%s"' % name)
        admin.close()


def run_initdb(database):
    "Run each script of docker/initdb as docker-entrypoint.sh does"
    env = dict(os.environ, POSTGRES_USER=PG['user'], POSTGRES_DB=database,
        PGHOST=PG['host'], PGPORT=str(PG['port']),
        MVP_DB_USER=database, MVP_DB_PASSWORD="Mật-khẩu 'thử' 1")
    for script in sorted(INITDB.iterdir()):
        if script.suffix == '.sql':
            command = ['psql', '-v', 'ON_ERROR_STOP=1', '-U', PG['user'],
                '-d', database, '-f', str(script)]
        else:
            command = [str(script)]
        subprocess.run(command, env=env, check=True, capture_output=True)


def test_application_role_owns_its_database_but_is_no_superuser(
        fresh_database):
    psycopg, database = fresh_database
    run_initdb(database)
    # the role is named after the database here, to leave others alone
    with psycopg.connect(dbname=database, **{**PG, 'user': database}) as app:
        superuser, createdb, createrole = app.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
            "WHERE rolname = current_user").fetchone()
        assert (superuser, createdb, createrole) == (False, False, False)
        # trytond-admin creates its tables; the search uses the extensions
        app.execute("CREATE TABLE ir_test (id serial PRIMARY KEY, name text)")
        assert app.execute(
            "SELECT f_unaccent('Quyết định'), "
            "similarity('quyết định', 'quyet dinh') >= 0").fetchone() == (
            'Quyet dinh', True)
        app.commit()
        app.autocommit = True
        for statement in ['CREATE DATABASE test_initdb_other',
                'CREATE ROLE test_initdb_other',
                'CREATE EXTENSION IF NOT EXISTS file_fdw',
                "COPY ir_test (name) FROM PROGRAM 'id'"]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)
