#!/usr/bin/env python3
# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The production set-up under load (issue 18 item 5).

1. Builds a generated province in PostgreSQL (or reuses the one built by
   an earlier run with the same modules and sizes): --agencies agencies,
   each with an office and two departments, an incoming register, a
   clerk, a leader, department heads and officers (--accounts in all),
   --documents incoming documents with their assignments (bulk SQL), a
   few hundred document files to download and --outgoings submitted
   outgoing documents per agency for the leaders to approve.
2. Starts what docker/compose.yaml runs, on this machine: gunicorn with
   --workers WSGI workers on trytond.application:app, trytond-cron and
   trytond-worker.
3. Runs locust headless (bench/load_officers.py) once for each count of
   --officers: simulated officials sign in, each with their own account,
   and work through JSON-RPC as the web client does, with a think time
   of about --think seconds: officers page their inbox, open documents,
   search, download a file, start, record progress and finish; clerks
   register documents; leaders assign them and approve the outgoing
   documents submitted to them.

The last line printed is one JSON object.  The sizes default to the
issue's province; validate with small ones first, e.g. ``--agencies 10
--accounts 300 --documents 20000 --officers 20,40 --duration 30 --think
2``.
"""
import argparse
import csv
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import incoming as base  # noqa: E402

sys.path.insert(0, base.ROOT)
# what production activates (the demo's list, docker/README.md): the
# access history, sign-in controls and audit trail are part of the load
from scripts.demo import MODULES  # noqa: E402

ROOT = base.ROOT
VAR = os.path.join(ROOT, 'var', 'bench-load')
LOCUSTFILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
    'load_officers.py')
PASSWORD = 'Bench-load-2026!'
log = base.log


def province_name(args):
    "The name of the built province: modules' digest and sizes"
    key = '%s %s %s %s %s %s' % (base.modules_digest(args.modules),
        args.agencies,
        args.accounts, args.documents, args.files, args.outgoings)
    return 'bench_province_' + hashlib.sha1(key.encode()).hexdigest()[:12]


def _roles(per_agency):
    "The roles of an agency's accounts, officers first"
    heads = 2 if per_agency >= 6 else 0
    officers = max(per_agency - 2 - heads, 1)
    return (['officer'] * officers + ['clerk', 'leader']
        + ['head'] * heads)[:max(per_agency, 3)]


def _department(roles, i, departments):
    """The department of the i-th account: a head belongs to the
    department they head (the k-th head to departments[1 + k], the
    office being departments[0]); the others are spread over them all"""
    if roles[i] == 'head':
        k = roles[:i].count('head')
        return departments[1 + k % (len(departments) - 1)]
    return departments[i % len(departments)]


def create_officials(pool, companies, args):
    """Create the accounts (users without password), employees and roles

    Returns, for each agency, a list of (role, login, user, employee)."""
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    Role = pool.get('mvp.user.role')
    Department = pool.get('mvp.department')
    ModelData = pool.get('ir.model.data')
    groups = {r: ModelData.get_id('mvp_documents', 'group_mvp_%s' % g)
        for r, g in [('officer', 'officer'), ('clerk', 'clerk'),
            ('leader', 'leader'), ('head', 'department_head')]}
    per_agency = max(args.accounts // args.agencies, 3)
    officials = {}
    for a, (company, departments) in enumerate(companies):
        roles = _roles(per_agency)
        parties = Party.create([{'name': 'Cán bộ %s-%s' % (a, i)}
                for i in range(len(roles))])
        employees = Employee.create([{
                    'party': p.id, 'company': company,
                    'department': _department(roles, i, departments),
                    } for i, p in enumerate(parties)])
        # no password here: hashing 15,000 of them takes too long, one
        # hash is copied to every account afterwards
        users = User.create([{
                    'login': 'a%s_%s_%s' % (a, role, i),
                    'name': p.name,
                    'companies': [('add', [company])], 'company': company,
                    'employees': [('add', [e.id])], 'employee': e.id,
                    } for i, (role, p, e) in enumerate(
                    zip(roles, parties, employees, strict=True))])
        Role.create([{'user': u.id, 'company': company,
                    'group': groups[role]}
                for role, u in zip(roles, users, strict=True)])
        heads = [e for r, e in zip(roles, employees, strict=True)
            if r == 'head']
        for department, head in zip(departments[1:], heads, strict=False):
            Department.write([Department(department)], {'head': head.id})
        officials[company] = [(r, u.login, u.id, e.id) for r, u, e in zip(
                roles, users, employees, strict=True)]
        if a % 20 == 19:
            log('agencies with officials: %s' % (a + 1))
    return officials


def create_agencies(pool, count):
    "Create the agencies, their offices, departments and registers"
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    Currency = pool.get('currency.currency')
    Department = pool.get('mvp.department')
    Register = pool.get('mvp.register')
    currency, = Currency.create([{
                'name': 'Đồng', 'code': 'VND', 'symbol': '₫'}])
    parties = Party.create([{'name': 'Cơ quan %s tỉnh Thái Bình' % a}
            for a in range(count)])
    companies = Company.create([{
                'party': p.id, 'currency': currency.id,
                'short_name': 'CQ%s' % a,
                'timezone': 'Asia/Ho_Chi_Minh'}
            for a, p in enumerate(parties)])
    result, registers = [], {}
    for company in companies:
        departments = Department.create([{
                    'company': company.id, 'name': 'Văn phòng',
                    'code': 'VP', 'is_office': True,
                    }, {
                    'company': company.id, 'name': 'Phòng Tổng hợp',
                    'code': 'TH',
                    }, {
                    'company': company.id, 'name': 'Phòng Nghiệp vụ',
                    'code': 'NV',
                    }])
        register, = Register.create([{
                    'company': company.id, 'kind': 'incoming',
                    'name': 'Sổ văn bản đến'}])
        registers[company.id] = register.id
        result.append((company.id, [d.id for d in departments]))
    return result, registers


def populate(config, db_name, args):
    "Create agencies and accounts with the ORM; return the plan"
    from trytond.transaction import Transaction
    pool = base._start(config, db_name)
    with Transaction().start(db_name, 0, context={'language': 'en'}) as t:
        companies, registers = create_agencies(pool, args.agencies)
        t.commit()
    log('agencies created')
    with Transaction().start(db_name, 0, context={'language': 'en'}) as t:
        officials = create_officials(pool, companies, args)
        User = pool.get('res.user')
        # one hash, copied to every account by SQL below
        first = officials[companies[0][0]][0]
        User.write([User(first[2])], {'password': PASSWORD})
        t.commit()
    base.psql("UPDATE res_user SET password_hash = (SELECT password_hash "
        "FROM res_user WHERE id = %s) WHERE login LIKE 'a%%\\_%%'"
        % first[2], db=db_name)
    if 'mvp_security' in args.modules:
        # a password given by the administrator must be changed at the
        # first sign-in (QCVN 12); these accounts are the officials' own
        base.psql("UPDATE res_user SET password_must_change = false "
            "WHERE login LIKE 'a%\\_%'", db=db_name)
    return {'agencies': [{
                'company': c, 'register': registers[c],
                'officials': [{'role': r, 'login': login, 'user': u,
                        'employee': e}
                    for r, login, u, e in officials[c]],
                } for c, _ in companies]}


def bulk_documents(db_name, plan, documents, per):
    "Insert the documents and their assignments with SQL"
    rows = []
    for k, agency in enumerate(plan['agencies']):
        officers = [o['employee'] for o in agency['officials']
            if o['role'] == 'officer']
        rows.append("(%s, %s, %s, ARRAY[%s])" % (k, agency['company'],
                agency['register'], ','.join(map(str, officers))))
    words = "ARRAY[%s]" % ','.join("'%s'" % w for w in base.WORDS)
    count = len(plan['agencies'])
    # registered documents are left for the leaders to assign: no
    # assignment yet
    base.psql(f"""
CREATE TABLE bench_agency (pos int, company int, register int,
    officers int[]);
INSERT INTO bench_agency VALUES {','.join(rows)};
INSERT INTO mvp_incoming (company, register, arrival_number, year,
    arrival_date, registered_date, issuer_name, number, notation,
    issue_date, subject, urgency, confidentiality, channel, state,
    recorded_late, search_text, create_uid, create_date)
SELECT a.company, a.register, NULL, 2025,
    timestamp '2025-01-01' + (g % 330) * interval '1 day'
        + (g % 480) * interval '1 minute',
    timestamp '2025-01-01' + (g % 330) * interval '1 day',
    'UBND huyện Vũ Thư', g::text, g::text || '/UBND-VP',
    date '2025-01-01' + (g % 330), s.subject, 'normal', 'normal', 'paper',
    (ARRAY['processed','processed','processed','assigned','processing',
        'registered'])[1 + (g / {count}) % 6],
    false, lower(f_unaccent(s.subject || ' | ' || g::text || '/UBND-VP'
        || ' | UBND huyện Vũ Thư')), 0, now()
FROM generate_series(1, {documents}) g
JOIN bench_agency a ON a.pos = g % {count},
LATERAL (SELECT array_to_string(ARRAY(
        SELECT ({words})[1 + ((g::bigint * 7919 + k * 104729)
            % {len(base.WORDS)})]
        FROM generate_series(1, 4) k), ' ') || ' ' || g AS subject) s;
INSERT INTO mvp_assignment (company, incoming, employee, role, deadline,
    state, assigned_date, create_uid, create_date)
SELECT i.company, i.id,
    a.officers[1 + ((i.id / {count} * {per} + k)
        % array_length(a.officers, 1))],
    (ARRAY['lead','coordinate','info'])[1 + k % 3],
    i.issue_date + 10,
    CASE WHEN i.state = 'processed' THEN 'done'
        WHEN k = 0 AND i.state = 'processing' THEN 'in_progress'
        ELSE 'assigned' END,
    i.arrival_date + interval '1 hour', 0, now()
FROM mvp_incoming i JOIN bench_agency a ON a.company = i.company,
    generate_series(0, {per - 1}) k
WHERE i.arrival_number IS NULL AND i.state != 'registered';
UPDATE mvp_incoming SET arrival_number = id + 1000000
    WHERE arrival_number IS NULL;
DROP TABLE bench_agency;
ANALYZE;
""", db=db_name)


def create_files(config, db_name, plan, count):
    """Attach a file to one document of each of the first officers

    The simulated officers download it (plan: officer's 'file')."""
    from trytond.transaction import Transaction
    pool = base._start(config, db_name)
    index = {o['user']: o for a in plan['agencies'] for o in a['officials']}
    officers = [index[o['user']] for o in simulated(plan, count)
        if o['role'] == 'officer']
    pdf = base.scan_pdf(60)
    with Transaction().start(db_name, 0, context={'language': 'en'}) as t:
        Assignment = pool.get('mvp.assignment')
        File = pool.get('mvp.document.file')
        for start in range(0, len(officers), 100):
            batch = officers[start:start + 100]
            files = []
            for officer in batch:
                assignment = Assignment.search([
                        ('employee', '=', officer['employee']),
                        ], limit=1)
                if not assignment:
                    continue
                incoming = assignment[0].incoming
                files.append((officer, {
                            'resource': str(incoming),
                            'company': incoming.company.id,
                            'kind': 'original',
                            'name': 'van-ban-%s.pdf' % incoming.id,
                            'data': pdf}))
            created = File.create([v for _, v in files])
            for (officer, _), file in zip(files, created, strict=True):
                officer['file'] = file.id
        t.commit()
    return plan


def create_outgoings(config, db_name, plan, per_agency):
    """Submit per_agency outgoing drafts in each agency for its leader

    As the web client does: an officer of a department drafts it with a
    version file, initials it, the department head initials it, the
    officer submits it; the simulated leaders approve them."""
    from trytond.transaction import Transaction
    pool = base._start(config, db_name)
    context = {'language': 'en'}
    done = 0
    with Transaction().start(db_name, 0, context=context) as t:
        Outgoing = pool.get('mvp.outgoing')
        Type = pool.get('mvp.document.type')
        Employee = pool.get('company.employee')
        type_, = Type.search([('code', '=', 'to_trinh')], limit=1)
        for agency in plan['agencies']:
            by_role = {}
            for o in agency['officials']:
                by_role.setdefault(o['role'], []).append(o)
            heads = by_role.get('head', [])
            if not heads or not by_role.get('leader'):
                continue
            head = Employee(heads[0]['employee'])
            drafter = next((o for o in by_role['officer']
                    if Employee(o['employee']).department
                    == head.department), None)
            if drafter is None:
                continue
            leader = by_role['leader'][0]
            for i in range(per_agency):
                outgoing = _submitted(pool, Outgoing, type_, agency,
                    drafter, heads[0], leader, i)
                done += outgoing is not None
        t.commit()
    log('outgoing documents submitted: %s' % done)
    return plan


def _acting(official, company):
    from trytond.transaction import Transaction
    transaction = Transaction()
    return transaction.set_user(official['user']), transaction.set_context(
        company=company, employee=official['employee'],
        companies=[company])


def _submitted(pool, Outgoing, type_, agency, drafter, head, leader, i):
    "Draft, initial and submit one outgoing document"
    from contextlib import ExitStack
    company = agency['company']

    def acting(official):
        stack = ExitStack()
        for manager in _acting(official, company):
            stack.enter_context(manager)
        return stack
    with acting(drafter):
        outgoing = Outgoing(document_type=type_, signer=leader['employee'],
            subject='Tờ trình phê duyệt kế hoạch số %s' % i)
        outgoing.on_change_document_type()
        outgoing.save()
        Outgoing.add_draft_version(outgoing, [
                {'name': 'to-trinh.docx', 'data': b'PK docx %d' % i},
                {'name': 'to-trinh.pdf', 'data': b'%%PDF-1.4 %d' % i},
                ])
        Outgoing.initial([Outgoing(outgoing.id)])
    with acting(head):
        Outgoing.initial([Outgoing(outgoing.id)])
    with acting(drafter):
        Outgoing.submit([Outgoing(outgoing.id)])
    return outgoing


def simulated(plan, count):
    """The accounts the simulated officials use, in order

    One agency after the other, so that every agency works; about one
    in ten is a clerk and one in ten a leader (while the agency has one
    left), the others officers."""
    agencies = plan['agencies']
    left = [[dict(o, company=a['company'], register=a['register'],
                officers=[p['employee'] for p in a['officials']
                    if p['role'] == 'officer'] if o['role'] == 'leader'
                else None)
            for o in a['officials']] for a in agencies]
    result = []
    k = 0
    while len(result) < count and any(left):
        pool = left[k % len(agencies)]
        k += 1
        if not pool:
            continue
        want = {3: 'clerk', 7: 'leader'}.get(len(result) % 10, 'officer')
        chosen = next((o for o in pool if o['role'] == want), None)
        chosen = chosen or next(
            (o for o in pool if o['role'] == 'officer'), pool[0])
        pool.remove(chosen)
        result.append(chosen)
    return result


def _child(func, args, queue):
    queue.put(func(*args))


def in_child(func, *args):
    """Return func(*args) run in a child process

    The ORM's connections (and the cache's listener) end with it, so
    that the database can be renamed and copied afterwards."""
    ctx = multiprocessing.get_context('spawn')
    queue = ctx.Queue()
    process = ctx.Process(target=_child, args=(func, args, queue))
    process.start()
    result = queue.get()
    process.join()
    if process.exitcode:
        raise RuntimeError("%s failed" % func.__name__)
    return result


def build_province(config, args):
    "Return the name of the built province and its plan (built if needed)"
    name = province_name(args)
    plan_path = os.path.join(VAR, name + '.json')
    if base._exists(name) and os.path.exists(plan_path):
        log('reusing %s' % name)
        with open(plan_path) as file:
            return name, json.load(file)
    for stale in base._databases('bench_province_%'):
        base.psql(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
        shutil.rmtree(os.path.join(VAR, 'filestore', stale),
            ignore_errors=True)
    t0 = time.monotonic()
    base.create_database(config, 'bench_load_build', args.modules,
        args.fresh)
    log('modules activated in %.1f s' % (time.monotonic() - t0))
    plan = in_child(populate, config, 'bench_load_build', args)
    log('officials created in %.1f s' % (time.monotonic() - t0))
    bulk_documents('bench_load_build', plan, args.documents,
        args.assignments_per)
    log('documents loaded in %.1f s' % (time.monotonic() - t0))
    plan = in_child(create_files, config, 'bench_load_build', plan,
        args.files)
    log('files created in %.1f s' % (time.monotonic() - t0))
    plan = in_child(create_outgoings, config, 'bench_load_build', plan,
        args.outgoings)
    log('outgoing documents created in %.1f s' % (time.monotonic() - t0))
    base.psql(f'ALTER DATABASE "bench_load_build" RENAME TO "{name}"')
    store = os.path.join(VAR, 'filestore')
    if os.path.isdir(os.path.join(store, 'bench_load_build')):
        os.rename(os.path.join(store, 'bench_load_build'),
            os.path.join(store, name))
    with open(plan_path, 'w') as file:
        json.dump(plan, file)
    return name, plan


def working_copy(province, db_name):
    "Copy the province (database and file store) for one run's writes"
    base.psql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    base.psql(f'CREATE DATABASE "{db_name}" TEMPLATE "{province}"')
    # the nightly and monthly jobs run at night, not in the office hours
    # measured (a new database would run every job when the cron starts)
    base.psql("UPDATE ir_cron SET next_call = date_trunc('day', now()) "
        "+ interval '1 day 2 hours' "
        "WHERE interval_type IN ('days', 'weeks', 'months')", db=db_name)
    store = os.path.join(VAR, 'filestore')
    shutil.rmtree(os.path.join(store, db_name), ignore_errors=True)
    if os.path.isdir(os.path.join(store, province)):
        shutil.copytree(os.path.join(store, province),
            os.path.join(store, db_name))


def start_services(config, db_name, args):
    "Start the commands of docker/compose.yaml: web, cron and worker"
    env = dict(os.environ, TRYTOND_CONFIG=config,
        TRYTOND_DATABASE_NAMES=db_name, PYTHONOPTIMIZE='1')
    logs = open(os.path.join(VAR, 'services.log'), 'w')
    commands = [
        [sys.executable, base._script('gunicorn'), '-w', str(args.workers),
            '-b', '127.0.0.1:%s' % args.port, '--timeout', '120',
            'trytond.application:app'],
        [sys.executable, base._script('trytond-cron'), '-c', config,
            '-d', db_name],
        [sys.executable, base._script('trytond-worker'), '-c', config,
            '-d', db_name, '-n', '2'],
        ]
    # each in a session of its own: cron and worker fork children that
    # must end with them (stop_services)
    return [subprocess.Popen(c, env=env, stdout=logs, stderr=logs,
            start_new_session=True) for c in commands]


def stop_services(services):
    "End the services and their children"
    for process in services:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for process in services:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_locust(args, db_name, users_path, officers):
    "Run locust headless with officers users; return its aggregated row"
    prefix = os.path.join(VAR, 'locust-%s' % officers)
    env = dict(os.environ, LOAD_DATABASE=db_name, LOAD_USERS=users_path,
        LOAD_THINK=str(args.think), LOAD_PASSWORD=PASSWORD)
    # all started within 30 s or a quarter of the run
    rate = args.spawn_rate or max(
        1, officers / min(30, max(args.duration / 4, 1)))
    subprocess.run([sys.executable, base._script('locust'),
            '-f', LOCUSTFILE, '--headless', '-u', str(officers),
            '-r', str(rate), '-t', '%ss' % args.duration,
            '--host', 'http://127.0.0.1:%s' % args.port,
            '--csv', prefix, '--only-summary', '--loglevel', 'WARNING',
            '--exit-code-on-error', '0'],
        env=env, check=True)
    with open(prefix + '_stats.csv') as file:
        rows = list(csv.DictReader(file))
    for row in rows:
        log('%-10s %6s req %4s fail p95 %6s ms' % (row['Name'],
                row['Request Count'], row['Failure Count'], row['95%']))
    total, = [r for r in rows if r['Name'] == 'Aggregated']
    # an exception in a simulated official's task is an error too
    with open(prefix + '_exceptions.csv') as file:
        exceptions = sum(int(r['Count']) for r in csv.DictReader(file))
    if exceptions:
        log('%s exceptions in the tasks: see %s_exceptions.csv'
            % (exceptions, prefix))
    return {
        'officers': officers,
        'p95_ms': float(total['95%']),
        'p99_ms': float(total['99%']),
        'errors': int(total['Failure Count']) + exceptions,
        'requests': int(total['Request Count']),
        'requests_per_s': round(float(total['Requests/s']), 1),
        # the machine's load when the run ended (the client and any
        # other work on it included)
        'load_average_1m': round(os.getloadavg()[0], 1),
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--agencies', type=int, default=400)
    parser.add_argument('--accounts', type=int, default=15000)
    parser.add_argument('--documents', type=int, default=2000000)
    parser.add_argument('--assignments-per', type=int, default=2)
    parser.add_argument('--files', type=int, default=400,
        help="document files to download (one per simulated officer)")
    parser.add_argument('--outgoings', type=int, default=10,
        help="submitted outgoing documents per agency, to approve")
    parser.add_argument('--workers', type=int, default=4)
    parser.add_argument('--officers', default='100,200,300,400',
        help="simulated officials of each run, comma-separated")
    parser.add_argument('--duration', type=int, default=180,
        help="seconds of each run")
    parser.add_argument('--think', type=float, default=10,
        help="mean think time in seconds")
    parser.add_argument('--spawn-rate', type=float, default=0,
        help="officials started per second (default: all within 30 s "
        "or a quarter of the run)")
    parser.add_argument('--modules', nargs='+', default=MODULES,
        help="the modules activated (default: production's)")
    parser.add_argument('--port', type=int, default=8766)
    parser.add_argument('--database', default='bench_load')
    parser.add_argument('--fresh', action='store_true',
        help="activate the modules again and rebuild the province")
    parser.add_argument('--keep', action='store_true',
        help="keep the run's database copy")
    args = parser.parse_args()
    counts = [int(c) for c in args.officers.split(',')]
    os.makedirs(VAR, exist_ok=True)
    config = base.write_config(VAR, args.database, args.port)
    os.environ['TRYTOND_CONFIG'] = config
    province, plan = build_province(config, args)
    users_path = os.path.join(VAR, 'users.json')
    with open(users_path, 'w') as file:
        json.dump(simulated(plan, max(counts)), file)
    runs = []
    for officers in counts:
        # each run on a fresh copy: the writes of one do not help or
        # hinder the next
        working_copy(province, args.database)
        services = start_services(config, args.database, args)
        try:
            base.wait_server('http://127.0.0.1:%s/' % args.port)
            runs.append(run_locust(args, args.database, users_path,
                    officers))
            log(json.dumps(runs[-1]))
        finally:
            stop_services(services)
    if not args.keep:
        base.psql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    held = [r['officers'] for r in runs
        if r['p95_ms'] <= 500 and r['errors'] == 0]
    largest = max(runs, key=lambda r: r['officers'])
    print(json.dumps({
                **largest,
                'max_officers_p95_500ms': max(held, default=0),
                'cores': os.cpu_count(),
                'workers': args.workers,
                'agencies': args.agencies,
                'accounts': args.accounts,
                'documents': args.documents,
                'think_s': args.think,
                'duration_s': args.duration,
                'runs': runs,
                'date': dt.date.today().isoformat(),
                }))


if __name__ == '__main__':
    main()
