#!/usr/bin/env python3
# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of large work dossiers on PostgreSQL.

Builds a database with a dossier of --docs documents and one of
--export-docs documents of --size bytes each, starts a real trytond
server and measures, through JSON-RPC as the web client does:

- open_<docs>_ms: p95 of opening the dossier's form (view, read of every
  form field, the rows of its one2many widgets);
- close_<docs>_s: closing the dossier (button "close");
- export_<n>_s / export_peak_mb: building the ZIP export in a separate
  process and that process's peak resident memory.

The last line printed is one JSON object.  Small run:
    .venv/bin/python bench/dossier.py --docs 500 --export-docs 50
Full run (issue 6):
    .venv/bin/python bench/dossier.py --docs 18000 --export-docs 2000
"""
import argparse
import base64
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
PASSWORD = 'bench-dossier-2026'

CHILD = r'''
import json, sys, time
import trytond.config
trytond.config.update_etc()
from trytond.pool import Pool
from trytond.transaction import Transaction
db, dossier_id = sys.argv[1], int(sys.argv[2])
Pool.start()
pool = Pool(db)
pool.init()
start = time.perf_counter()
with Transaction().start(db, 0, context={'company': None}) as transaction:
    Export = pool.get('mvp.dossier.export')
    Dossier = pool.get('mvp.dossier')
    export = Export.build(Dossier(dossier_id))
    size = export.size
    transaction.commit()
elapsed = time.perf_counter() - start
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so it would
# report the benchmark's own (forked) memory
with open('/proc/self/status') as status:
    peak_kb = next(int(line.split()[1]) for line in status
        if line.startswith('VmHWM:'))
print(json.dumps({'seconds': elapsed, 'peak_mb': peak_kb / 1024,
            'size': size}))
'''


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--pg', default=os.environ.get(
            'MVP_PG_URI', 'postgresql://postgres@127.0.0.1:5432/'))
    parser.add_argument('--database', default='bench_mvp_dossier')
    parser.add_argument('--docs', type=int, default=18000)
    parser.add_argument('--export-docs', type=int, default=2000)
    parser.add_argument('--size', type=int, default=200 * 1024)
    parser.add_argument('--repeat', type=int, default=20)
    parser.add_argument('--keep', action='store_true',
        help="keep the database and files")
    return parser.parse_args()


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def setup(args, workdir, port):
    with psycopg.connect(args.pg + 'postgres', autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)'
            % args.database)
        conn.execute('CREATE DATABASE "%s"' % args.database)
    conf = os.path.join(workdir, 'trytond.conf')
    with open(conf, 'w') as f:
        f.write('[database]\nuri = %s\npath = %s\n'
            '[web]\nlisten = 127.0.0.1:%s\n'
            '[wsgi middleware]\n'
            'coalesce = trytond.modules.mvp_documents.wsgi.CoalesceResponse\n'
            '[mvp_documents]\nexport_path = %s\n'
            '[cache]\nclean_timeout = 0\n' % (
                args.pg, os.path.join(workdir, 'filestore'), port,
                os.path.join(workdir, 'exports')))
    passfile = os.path.join(workdir, 'pass')
    with open(passfile, 'w') as f:
        f.write(PASSWORD)
    env = dict(os.environ, TRYTONPASSFILE=passfile, TRYTOND_CONFIG=conf)
    # run the scripts with this interpreter: a copied venv's shebangs may
    # point at another checkout
    subprocess.run([sys.executable, os.path.join(BIN, 'trytond-admin'),
            '-c', conf,
            '-d', args.database, '--all', '--email', 'admin@example.vn',
            '-u', 'mvp_dossier', '--activate-dependencies'],
        check=True, env=env, stdout=subprocess.DEVNULL)
    return conf, env


def populate(args):
    "Create the agency, an officer and the two dossiers in the ORM"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool.start()
    pool = Pool(args.database)
    pool.init()
    with Transaction().start(args.database, 0) as transaction:
        Party = pool.get('party.party')
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Employee = pool.get('company.employee')
        User = pool.get('res.user')
        Role = pool.get('mvp.user.role')
        ModelData = pool.get('ir.model.data')
        currency, = Currency.create([{'name': 'Đồng', 'code': 'VND',
                    'symbol': '₫', 'rounding': 1}])
        party, = Party.create([{'name': "Sở Thông tin và Truyền thông"}])
        company, = Company.create([{'party': party.id,
                    'currency': currency.id,
                    'identifier_code': '000.00.02.H54',
                    'short_name': 'STTTT'}])
        person, = Party.create([{'name': "Trần Thị Bình"}])
        employee, = Employee.create([{'party': person.id,
                    'company': company.id}])
        user, = User.create([{'login': 'binh', 'name': "Trần Thị Bình",
                    'password': PASSWORD,
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id}])
        Role.create([{'user': user.id, 'company': company.id,
                    'group': ModelData.get_id(
                        'mvp_documents', 'group_mvp_officer')}])
        transaction.commit()
        dossiers = {}
        with transaction.set_context(company=company.id):
            for code, count, size in [
                    ('01.VP', args.docs, 512),
                    ('02.VP', args.export_docs, args.size)]:
                dossiers[code] = fill_dossier(
                    pool, company, employee, code, count, size)
                transaction.commit()
    return user, dossiers


def fill_dossier(pool, company, employee, code, count, size):
    Dossier = pool.get('mvp.dossier')
    File = pool.get('mvp.document.file')
    dossier, = Dossier.create([{'company': company.id, 'year': 2026,
                'code': code, 'title': "Hồ sơ %s" % code,
                'retention': 'permanent', 'responsible': employee.id}])
    for start in range(0, count, 500):
        batch = range(start, min(count, start + 500))
        # files uploaded into a dossier become its documents
        File.create([{
                    'resource': str(dossier),
                    'name': 'cong-van-%05d.pdf' % i,
                    'data': b'%PDF-1.4\n' + os.urandom(size - 9),
                    'pages': 1 + i % 7,
                    } for i in batch])
    return dossier.id


class Client:
    def __init__(self, url, database):
        self.url = '%s/%s/rpc/' % (url, database)
        self.auth = None
        self.id = 0

    def call(self, method, *params):
        self.id += 1
        request = urllib.request.Request(self.url, json.dumps({
                    'id': self.id, 'method': method,
                    'params': list(params)}).encode(),
            headers={'Content-Type': 'application/json'})
        if self.auth:
            request.add_header('Authorization', self.auth)
        with urllib.request.urlopen(request, timeout=600) as response:
            result = json.loads(response.read())
        if result.get('error'):
            raise RuntimeError(result['error'])
        return result['result']

    def login(self, login, password):
        user_id, session = self.call('common.db.login', login,
            {'password': password}, 'vi')[:2]
        self.auth = 'Session ' + base64.b64encode(
            ('%s:%s:%s' % (login, user_id, session)).encode()).decode()
        self.context = self.call('model.res.user.get_preferences', True, {})


def form_fields(view):
    "Names the web client reads for a form: fields and their rec_name"
    names = []
    for name, field in view['fields'].items():
        names.append(name)
        if field['type'] in {'many2one', 'reference'}:
            names.append(name + '.rec_name')
    return names


def open_form(client, dossier_id):
    "What sao does when a dossier is opened from the list"
    context = client.context
    view = client.call('model.mvp.dossier.fields_view_get', None, 'form',
        context)
    record, = client.call('model.mvp.dossier.read', [dossier_id],
        form_fields(view), context)
    for name, field in view['fields'].items():
        if field['type'] == 'one2many' and record[name]:
            sub = client.call('model.%s.fields_view_get' % field['relation'],
                None, 'tree', context)
            client.call('model.%s.read' % field['relation'],
                record[name][:1000], form_fields(sub), context)
    return record


def open_lines(client, dossier_id):
    "The 'Documents' button: first page of the list, as sao loads it"
    context = client.context
    view = client.call('model.mvp.dossier.line.fields_view_get', None,
        'tree', context)
    client.call('model.mvp.dossier.line.search_read',
        [('dossier', '=', dossier_id)], 0, 1000, None, form_fields(view),
        context)
    return client.call('model.mvp.dossier.line.search_count',
        [('dossier', '=', dossier_id)], 0, None, context)


def wait_port(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("trytond did not start")


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def main():
    args = parse_args()
    workdir = tempfile.mkdtemp(prefix='bench-dossier-')
    port = free_port()
    server = None
    try:
        t0 = time.perf_counter()
        conf, env = setup(args, workdir, port)
        os.environ['TRYTOND_CONFIG'] = conf
        import trytond.config
        trytond.config.update_etc(conf)
        user, dossiers = populate(args)
        setup_s = time.perf_counter() - t0
        print("setup %.1f s" % setup_s, file=sys.stderr)

        # -O as deployed (docker/Dockerfile: PYTHONOPTIMIZE)
        server = subprocess.Popen([sys.executable, '-O',
                os.path.join(BIN, 'trytond'), '-c', conf,
                '-d', args.database], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(port)
        client = Client('http://127.0.0.1:%s' % port, args.database)
        client.login('binh', PASSWORD)
        big = dossiers['01.VP']

        record = open_form(client, big)  # warm the caches once
        assert record['document_count'] == args.docs, record
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            open_form(client, big)
            timings.append((time.perf_counter() - start) * 1000)
        lines = []
        for _ in range(max(3, args.repeat // 4)):
            start = time.perf_counter()
            count = open_lines(client, big)
            lines.append((time.perf_counter() - start) * 1000)
        assert count == args.docs, count

        start = time.perf_counter()
        client.call('model.mvp.dossier.close', [big], client.context)
        close_s = time.perf_counter() - start
        state, = client.call('model.mvp.dossier.read', [big], ['state'],
            client.context)
        assert state['state'] == 'closed', state

        child = subprocess.run([sys.executable, '-c', CHILD, args.database,
                str(dossiers['02.VP'])], env=env, check=True,
            capture_output=True, text=True)
        export = json.loads(child.stdout.strip().splitlines()[-1])
        docs = args.docs
        result = {
            'open_%s_ms' % docs: round(p95(timings), 1),
            'open_%s_median_ms' % docs: round(statistics.median(timings), 1),
            'open_lines_first_page_ms': round(statistics.median(lines), 1),
            'close_%s_s' % docs: round(close_s, 2),
            'export_%s_s' % args.export_docs: round(export['seconds'], 2),
            'export_peak_mb': round(export['peak_mb'], 1),
            'export_zip_mb': round(export['size'] / 1024 / 1024, 1),
            'export_file_kb': args.size // 1024,
            'setup_s': round(setup_s, 1),
            'cores': os.cpu_count(),
            }
    finally:
        if server:
            server.terminate()
            server.wait(10)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
            try:
                with psycopg.connect(args.pg + 'postgres',
                        autocommit=True) as conn:
                    conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)'
                        % args.database)
            except psycopg.Error:
                pass
    print(json.dumps(result))


if __name__ == '__main__':
    main()
