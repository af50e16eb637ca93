#!/usr/bin/env python3
# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of the incoming register on PostgreSQL.

1. register_per_s: clerks register scanned documents (a draft with a
   200 KB PDF scan, then "register": arrival number under lock, event,
   deadline), one registration per transaction, from --clerks parallel
   processes, each the agency's clerk, retried as trytond's dispatcher
   does; the numbers are then checked: no duplicate, no gap.
2. inbox_p95_ms: an officer's inbox page of 80 rows through JSON-RPC on a
   real trytond server, as the web client asks it (search, then read of
   the list fields), with --incomings documents and --assignments-per
   assignments each in the database.
3. open_p95_ms: the opening of the first document of the inbox page (the
   read of its form, recorded in the access history with mvp_security).
4. search_p95_ms: a diacritic-insensitive search of the subject over the
   same documents (the client's search box: rec_name ilike), page of 80.

The last line printed is one JSON object.  Sizes are parameters: the
issue's figures are the defaults; try small ones first, e.g.
``--registrations 200 --incomings 5000``.
"""
import argparse
import base64
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

# lower and upper case, digit and special: mvp_security's rule
PASSWORD = 'Bench#pass-%s'
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG = 'postgresql://postgres@127.0.0.1:5432/'
# config/production.conf's [database] retry
RETRY = 10
PHRASES = [
    "kế hoạch triển khai", "quyết định ban hành", "quy chế quản lý",
    "báo cáo kết quả", "kiểm tra công tác văn thư", "lưu trữ hồ sơ",
    "hội nghị tập huấn", "ký số văn bản điện tử", "giấy mời dự họp",
    "thông báo lịch tiếp công dân", "tờ trình phê duyệt",
    "danh mục mã định danh", "đôn đốc cập nhật trạng thái",
    "liên thông phần mềm", "trục liên thông quốc gia", "năm 2025",
    "tỉnh Thái Bình", "huyện Vũ Thư", "xã Đông Hòa", "Sở Nội vụ",
    "tài chính ngân sách", "y tế cơ sở", "giáo dục và đào tạo",
    "nông nghiệp và phát triển nông thôn", "đất đai", "xây dựng cơ bản",
    "giao thông vận tải", "tài nguyên môi trường", "khoa học công nghệ",
    "thanh tra hành chính", "cải cách thủ tục", "chuyển đổi số",
    ]
WORDS = PHRASES
SEARCHES = [
    'quyet dinh', 'hoi nghi tap huan', 'ke hoach trien khai', 'van thu',
    'bao cao ket qua', 'giay moi', 'thai binh', 'so noi vu', 'dat dai',
    'chuyen doi so', 'lich tiep cong dan', 'ky so van ban',
    ]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def scan_pdf(size_kb):
    "Return a one-page PDF of about size_kb with an incompressible image"
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    from PIL import Image
    side = int((size_kb * 1024 * 0.78 / 3) ** 0.5)
    image = Image.frombytes('RGB', (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    pdf.drawImage(ImageReader(image), 40, 200, 500, 500)
    pdf.drawString(40, 780, "Số: 51/TTr-STTTT")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def write_config(directory, db_name, port):
    path = os.path.join(directory, 'trytond.conf')
    with open(path, 'w') as file:
        file.write(f"""[database]
uri = {PG}
path = {directory}/filestore
unaccent_function = f_unaccent
list = False
retry = {RETRY}
[web]
listen = 127.0.0.1:{port}
[wsgi middleware]
coalesce = trytond.modules.mvp_documents.wsgi.CoalesceResponse
[queue]
worker = True
[cache]
clean_timeout = 0
[session]
max_attempt = 1000
[email]
uri = smtp://127.0.0.1:1
""")
    return path


def psql(sql, db='postgres'):
    result = subprocess.run(
        ['psql', '-h', '127.0.0.1', '-U', 'postgres', '-d', db, '-q',
            '-v', 'ON_ERROR_STOP=1', '-c', sql],
        capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError("psql failed: %s" % result.stderr.strip())


def modules_digest(modules=()):
    "A short digest of the modules' Python and XML sources (and of modules)"
    digest = hashlib.sha1(' '.join(sorted(modules)).encode())
    addons = os.path.join(ROOT, 'addons')
    for directory, _, names in sorted(os.walk(addons)):
        for name in sorted(names):
            if name.endswith(('.py', '.xml', '.cfg')):
                with open(os.path.join(directory, name), 'rb') as source:
                    digest.update(source.read())
    return digest.hexdigest()[:12]


def _databases(pattern):
    result = subprocess.run(
        ['psql', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres',
            '-tAc', "SELECT datname FROM pg_database WHERE datname LIKE '%s'"
            % pattern], check=True, capture_output=True, text=True)
    return result.stdout.split()


def _exists(db_name):
    return db_name in _databases(db_name)


def create_database(config, db_name, modules, fresh=False):
    """Create the database with the modules activated

    The activated database is kept as <db_name>_<digest of the modules'
    sources> and copied by later runs (unless fresh) since activation
    takes minutes; a change of the modules makes a new one.
    """
    template = '%s_%s' % (db_name, modules_digest(modules))
    psql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    for stale in _databases(db_name + '_%'):
        if stale != template or fresh:
            psql(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
    if not _exists(template):
        psql(f'CREATE DATABASE "{template}" ENCODING \'UTF8\' '
            'TEMPLATE template0')
        psql('CREATE EXTENSION IF NOT EXISTS pg_trgm; '
            'CREATE EXTENSION IF NOT EXISTS unaccent; '
            'CREATE OR REPLACE FUNCTION public.f_unaccent(text) '
            'RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS '
            '$$ SELECT public.unaccent('
            '\'public.unaccent\'::regdictionary, $1) $$',
            db=template)
        env = dict(os.environ, TRYTONPASSFILE=_passfile(config))
        subprocess.run(
            [sys.executable, _script('trytond-admin'), '-c', config,
                '-d', template, '-u', *modules, '--activate-dependencies',
                '--email', 'admin@example.com'],
            check=True, env=env, capture_output=True)
    psql(f'CREATE DATABASE "{db_name}" TEMPLATE "{template}"')


def _script(name):
    "Run the console scripts with this interpreter, whatever their shebang"
    return shutil.which(name, path=os.path.dirname(sys.executable)) or name


def _passfile(config):
    path = os.path.join(os.path.dirname(config), 'passfile')
    with open(path, 'w') as file:
        file.write('admin\n')
    return path


def _start(config, db_name):
    from trytond import config as tconfig
    tconfig.update_etc(config)
    from trytond.pool import Pool
    if not Pool._started:
        Pool.start()
    pool = Pool(db_name)
    pool.init()
    return pool


def setup_agency(config, db_name, officers):
    "Create the agency, its register, a clerk and officers; return ids"
    from trytond.transaction import Transaction
    pool = _start(config, db_name)
    with Transaction().start(db_name, 0, context={'language': 'en'}) as t:
        Party = pool.get('party.party')
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Employee = pool.get('company.employee')
        User = pool.get('res.user')
        Register = pool.get('mvp.register')
        Department = pool.get('mvp.department')
        currency, = Currency.create([{
                    'name': 'Đồng', 'code': 'VND', 'symbol': '₫'}])
        party, = Party.create([{'name': 'Sở Nội vụ tỉnh Thái Bình'}])
        company, = Company.create([{
                    'party': party.id, 'currency': currency.id,
                    'timezone': 'Asia/Ho_Chi_Minh'}])
        department, = Department.create([{
                    'company': company.id, 'name': 'Phòng Hành chính',
                    'code': 'HC'}])
        parties = Party.create([{'name': 'Chuyên viên %s' % i}
                for i in range(officers + 1)])
        employees = Employee.create([{
                    'party': p.id, 'company': company.id,
                    'department': department.id} for p in parties])
        users = User.create([{
                    'login': 'officer%s' % i, 'name': p.name,
                    'password': PASSWORD % i,
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [e.id])],
                    'employee': e.id,
                    } for i, (p, e) in enumerate(
                    zip(parties, employees, strict=True))])
        register, = Register.create([{
                    'company': company.id, 'kind': 'incoming',
                    'name': 'Sổ văn bản đến'}])
        # officer0 is the clerk (sees the whole register), the others
        # officers (see the work given to them)
        Role = pool.get('mvp.user.role')
        ModelData = pool.get('ir.model.data')
        clerk = ModelData.get_id('mvp_documents', 'group_mvp_clerk')
        officer = ModelData.get_id('mvp_documents', 'group_mvp_officer')
        Role.create([{
                    'user': u.id, 'company': company.id,
                    'group': clerk if i == 0 else officer,
                    } for i, u in enumerate(users)])
        t.commit()
        return {
            'company': company.id, 'register': register.id,
            'department': department.id,
            'employees': [e.id for e in employees],
            'users': [u.id for u in users],
            }


def _register_like_dispatcher(db_name, user, context, incoming_id):
    """Register the draft as trytond's RPC dispatcher runs the button:
    restart for a lock the transaction must take first, retry a
    concurrent access after 20 ms x attempt; return the retries (past
    [database] retry, RETRY as in production, the clerk would see an
    error; the bench goes on so that every registration is counted)"""
    from trytond import backend
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    Incoming = Pool(db_name).get('mvp.incoming')
    extras, retries = {}, 0
    while True:
        if retries:
            time.sleep(0.02 * retries)
        try:
            with Transaction().start(db_name, user, context=context,
                    **extras) as transaction:
                try:
                    Incoming.register_arrival([Incoming(incoming_id)])
                    transaction.commit()
                except TransactionError as error:
                    transaction.rollback()
                    error.fix(extras)
                    continue
        except backend.DatabaseOperationalError:
            retries += 1
            continue
        return retries


def _clerk(args, barrier=None, results=None):
    try:
        outcome = _registrations(*args, barrier=barrier)
    except Exception as exception:
        # the run must end and say why rather than wait for this clerk
        outcome = (0, 0, [], repr(exception))
        raise
    finally:
        if results is not None:
            results.put(outcome)
    return outcome


def _registrations(config, db_name, ids, count, pdf, seed, barrier=None):
    from trytond.transaction import Transaction
    pool = _start(config, db_name)
    Incoming = pool.get('mvp.incoming')
    random.seed(seed)
    # officer0 is the agency's clerk: a clerk's rights, rules and stamps
    user = ids['users'][0]
    context = {'company': ids['company'], 'language': 'en'}
    with Transaction().start(db_name, user, context=context):
        # Warm the caches as a running server would be
        _ = pool.get('mvp.register')(ids['register']).rec_name
    if barrier is not None:
        barrier.wait()
    start = time.monotonic()
    retries = []
    for i in range(count):
        # As in the client: the clerk saves the draft with its scan, then
        # clicks "register" (a second request)
        with Transaction().start(
                db_name, user, context=context) as transaction:
            incoming = Incoming.capture_scan(
                ids['company'], pdf, 'scan-%s-%s.pdf' % (seed, i))
            incoming.subject = ' '.join(random.sample(WORDS, 4))
            incoming.issuer_name = 'UBND huyện Vũ Thư'
            incoming.notation = '%s/UBND-VP' % (seed * 100000 + i)
            incoming.register = ids['register']
            incoming.save()
            incoming_id = incoming.id
            transaction.commit()
        retries.append(_register_like_dispatcher(
                db_name, user, context, incoming_id))
    return count, time.monotonic() - start, retries, None


def numbering_check(db_name, register):
    "Return (duplicates, gaps) among the register's arrival numbers"
    result = subprocess.run(
        ['psql', '-h', '127.0.0.1', '-U', 'postgres', '-d', db_name, '-tAc',
            'SELECT count(*), count(DISTINCT arrival_number), '
            'coalesce(max(arrival_number), 0) FROM mvp_incoming '
            f'WHERE register = {int(register)} '
            'AND arrival_number IS NOT NULL'],
        check=True, capture_output=True, text=True)
    count, distinct, highest = map(int, result.stdout.split('|'))
    return count - distinct, highest - distinct


def bench_register(config, db_name, ids, registrations, clerks, pdf_kb):
    pdf = scan_pdf(pdf_kb)
    log('pdf size', len(pdf))
    per_clerk = [registrations // clerks] * clerks
    per_clerk[0] += registrations - sum(per_clerk)
    ctx = multiprocessing.get_context('spawn')
    barrier = ctx.Barrier(clerks)
    results = ctx.Queue()
    processes = [ctx.Process(target=_clerk, args=(
                (config, db_name, ids, n, pdf, s + 1), barrier, results))
        for s, n in enumerate(per_clerk)]
    for process in processes:
        process.start()
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
    failures = [f for _, _, _, f in outcomes if f]
    if failures:
        raise RuntimeError("a clerk failed: %s" % failures[0])
    done = sum(d for d, _, _, _ in outcomes)
    retries = [r for _, _, clerk, _ in outcomes for r in clerk]
    # All clerks start together once warm; the slowest one ends the run
    elapsed = max(e for _, e, _, _ in outcomes)
    return done / elapsed, len(pdf), retries


def bulk_load(db_name, ids, incomings, per_incoming):
    "Insert the documents and assignments with SQL (fast, same columns)"
    officers = ids['employees'][1:]
    words = "ARRAY[%s]" % ','.join("'%s'" % w for w in WORDS)
    sql = f"""
INSERT INTO mvp_incoming (company, register, arrival_number, year,
    arrival_date, registered_date, issuer_name, number, notation,
    issue_date, subject, urgency, confidentiality, channel, state,
    recorded_late, search_text, create_uid, create_date)
SELECT {ids['company']}, {ids['register']}, NULL, 2025,
    timestamp '2025-01-01' + (g % 330) * interval '1 day'
        + (g % 480) * interval '1 minute',
    timestamp '2025-01-01' + (g % 330) * interval '1 day',
    'UBND huyện Vũ Thư', g::text, g::text || '/UBND-VP',
    date '2025-01-01' + (g % 330), s.subject, 'normal', 'normal', 'paper',
    (ARRAY['processed','processed','processed','assigned','processing',
        'registered'])[1 + g % 6],
    false, lower(f_unaccent(s.subject || ' | ' || g::text || '/UBND-VP'
        || ' | UBND huyện Vũ Thư')), 0, now()
FROM generate_series(1, {incomings}) g,
LATERAL (SELECT array_to_string(ARRAY(
        SELECT ({words})[1 + ((g::bigint * 7919 + k * 104729)
            % {len(WORDS)})]
        FROM generate_series(1, 4) k), ' ') || ' ' || g AS subject) s;
"""
    psql(sql, db=db_name)
    officer_array = 'ARRAY[%s]' % ','.join(map(str, officers))
    sql = f"""
INSERT INTO mvp_assignment (company, incoming, employee, role, deadline,
    state, assigned_date, create_uid, create_date)
SELECT i.company, i.id,
    ({officer_array})[1 + ((i.id * {per_incoming} + k) % {len(officers)})],
    (ARRAY['lead','coordinate','info'])[1 + k % 3],
    i.issue_date + 10,
    CASE WHEN i.state = 'processed' THEN 'done'
        WHEN k = 0 THEN 'in_progress' ELSE 'assigned' END,
    i.arrival_date + interval '1 hour', 0, now()
FROM mvp_incoming i, generate_series(0, {per_incoming - 1}) k
WHERE i.arrival_number IS NULL;
UPDATE mvp_incoming SET arrival_number = id + 1000000
    WHERE arrival_number IS NULL;
ANALYZE;
"""
    psql(sql, db=db_name)


class Client:
    "A JSON-RPC client that calls the server as sao does"

    def __init__(self, url, db_name, login, password):
        self.url = '%s/%s/rpc/' % (url, db_name)
        self.id = 0
        result = self._call('common.db.login', [login, {
                    'password': password}, 'vi'], auth=None)
        user_id, session = result[:2]
        self.auth = 'Session ' + base64.b64encode(
            ('%s:%s:%s' % (login, user_id, session)).encode()).decode()
        self.context = self._call('model.res.user.get_preferences', [True, {}])

    def _call(self, method, params, auth=True):
        self.id += 1
        request = urllib.request.Request(self.url, data=json.dumps({
                    'id': self.id, 'method': method, 'params': params,
                    }).encode(), headers={'Content-Type': 'application/json'})
        if auth:
            request.add_header('Authorization', self.auth)
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        if answer.get('error'):
            raise RuntimeError(answer['error'])
        return answer['result']

    def call(self, model, method, *args):
        return self._call(
            'model.%s.%s' % (model, method), [*args, self.context])


def page(client, model, domain, order, fields):
    "Time one list page: search then read, as sao's list view does"
    start = time.perf_counter()
    ids = client.call(model, 'search', domain, 0, 80, order)
    records = client.call(model, 'read', ids, fields)
    return (time.perf_counter() - start) * 1000, records


def open_form(client, incoming):
    """Time the opening of a document's form: the read of its fields with
    the lazily loaded lists (one access history row with mvp_security)"""
    start = time.perf_counter()
    client.call('mvp.incoming', 'read', [incoming], [
            'arrival_number', 'subject', 'notation', 'issuer_label', 'state',
            'deadline', 'assignments', 'events', 'files', 'rec_name'])
    return (time.perf_counter() - start) * 1000


def p95(values):
    values = sorted(values)
    return values[max(0, int(round(0.95 * len(values))) - 1)]


def wait_server(url, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError as exception:
            if getattr(exception, 'code', None):
                return
            time.sleep(0.5)
    raise RuntimeError("server did not start")


def bench_http(config, db_name, ids, queries, port):
    url = 'http://127.0.0.1:%s' % port
    # -O as deployed (docker/Dockerfile: PYTHONOPTIMIZE)
    server = subprocess.Popen(
        [sys.executable, '-O', _script('trytond'), '-c', config,
            '-d', db_name],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_server(url + '/')
        officers = list(range(1, len(ids['users'])))
        inbox_fields = ['arrival_number', 'subject', 'notation', 'urgency',
            'role', 'deadline', 'state', 'assignee', 'overdue',
            'first_read', 'incoming', 'incoming.rec_name', 'rec_name']
        inbox, search, opens = [], [], []
        clients = {}
        for query in range(queries):
            i = officers[query % len(officers)]
            if i not in clients:
                clients[i] = Client(
                    url, db_name, 'officer%s' % i, PASSWORD % i)
            client = clients[i]
            employee = ids['employees'][i]
            ms, records = page(client, 'mvp.assignment', [
                    ('employee', '=', employee),
                    ('state', 'in', ['assigned', 'in_progress']),
                    ], [('deadline', 'ASC'), ('id', 'DESC')], inbox_fields)
            inbox.append(ms)
            if records:
                opens.append(open_form(client, records[0]['incoming']))
        admin = Client(url, db_name, 'officer0', PASSWORD % 0)
        search_fields = ['arrival_number', 'arrival_date', 'notation',
            'subject', 'issuer_label', 'state', 'deadline', 'rec_name']
        hits = 0
        for query in range(queries):
            term = SEARCHES[query % len(SEARCHES)]
            ms, records = page(admin, 'mvp.incoming', [
                    ('rec_name', 'ilike', '%' + term + '%'),
                    ], [('arrival_date', 'DESC'), ('id', 'DESC')],
                search_fields)
            hits += len(records)
            search.append(ms)
        return inbox, search, opens, hits
    finally:
        server.terminate()
        server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--registrations', type=int, default=10000)
    parser.add_argument('--clerks', type=int, default=20)
    parser.add_argument('--pdf-kb', type=int, default=200)
    parser.add_argument('--incomings', type=int, default=500000)
    parser.add_argument('--assignments-per', type=int, default=3)
    parser.add_argument('--officers', type=int, default=200)
    parser.add_argument('--queries', type=int, default=200)
    parser.add_argument('--port', type=int, default=8765)
    parser.add_argument('--modules', nargs='+',
        default=['mvp_capture', 'mvp_security'],
        help="the modules activated; without mvp_security, no access "
        "history (and none of the other security controls)")
    parser.add_argument('--database', default='bench_incoming')
    parser.add_argument('--fresh', action='store_true',
        help="activate the modules again instead of copying the template")
    parser.add_argument('--keep', action='store_true',
        help="keep the database and filestore")
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix='bench-incoming-')
    config = write_config(directory, args.database, args.port)
    os.environ['TRYTOND_CONFIG'] = config
    try:
        t0 = time.monotonic()
        create_database(config, args.database, args.modules, args.fresh)
        log('database created in %.1f s' % (time.monotonic() - t0))
        ids = setup_agency(config, args.database, args.officers)
        register_per_s, pdf_size, retries = bench_register(
            config, args.database, ids, args.registrations, args.clerks,
            args.pdf_kb)
        dupes, gaps = numbering_check(args.database, ids['register'])
        log('register_per_s %.1f, retries max %s, dupes %s, gaps %s' % (
                register_per_s, max(retries), dupes, gaps))
        t0 = time.monotonic()
        bulk_load(args.database, ids, args.incomings, args.assignments_per)
        log('bulk load in %.1f s' % (time.monotonic() - t0))
        inbox, search, opens, hits = bench_http(
            config, args.database, ids, args.queries, args.port)
        result = {
            'register_per_s': round(register_per_s, 1),
            # registrations the dispatcher would have refused after its
            # RETRY retries (the bench retries until done)
            'register_refused': sum(r > RETRY for r in retries),
            'register_refused_at_5_retries': sum(r > 5 for r in retries),
            'register_retries_max': max(retries),
            'numbering_dupes': dupes,
            'numbering_gaps': gaps,
            'inbox_p95_ms': round(p95(inbox), 1),
            'inbox_median_ms': round(statistics.median(inbox), 1),
            'search_p95_ms': round(p95(search), 1),
            'open_p95_ms': round(p95(opens), 1) if opens else None,
            'open_median_ms': (round(statistics.median(opens), 1)
                if opens else None),
            'search_median_ms': round(statistics.median(search), 1),
            'search_rows': hits,
            'cores': os.cpu_count(),
            'registrations': args.registrations,
            'clerks': args.clerks,
            'pdf_bytes': pdf_size,
            'incomings': args.incomings + args.registrations,
            'assignments': args.incomings * args.assignments_per,
            'queries': args.queries,
            'modules': args.modules,
            'date': dt.date.today().isoformat(),
            }
        print(json.dumps(result))
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
            try:
                psql(f'DROP DATABASE IF EXISTS "{args.database}"')
            except RuntimeError:
                pass


if __name__ == '__main__':
    main()
