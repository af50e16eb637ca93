# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Health and metrics of an installation (issue 18, item 6)

``GET /health`` answers 200 or 503 with the state of the database, the
file store, clamd (when configured) and the queue, for nginx and the
monitoring; it is open but tells nothing but states and counts.
``GET /metrics`` answers the Prometheus text format, only to the networks
of ``[monitoring] metrics_networks`` (loopback by default).

Request counts and times are counted by the RequestMetrics WSGI
middleware (``[wsgi middleware] metrics = ...``).  Each WSGI worker
process keeps its own counters and writes them, at most once a second,
to ``[monitoring] metrics_dir``; /metrics adds up every worker's file, so
that any worker answers for all.
"""
import bisect
import datetime as dt
import ipaddress
import json
import os
import tempfile
import threading
import time

from sql import Null, Table
from sql.aggregate import Count, Min

from trytond import backend, config
from trytond.protocols.wrappers import HTTPStatus, Response, abort
from trytond.transaction import Transaction
from trytond.wsgi import app

from . import antivirus

SECTION = 'monitoring'
BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
DOCUMENTS = {'incoming': 'mvp_incoming', 'outgoing': 'mvp_outgoing'}
DEFAULT_NETWORKS = '127.0.0.0/8,::1/128'


#: Checks and metrics of other modules: function(database name) returning
#: (ok, JSON-able value) or None (not installed there) for /health, lines
#: of text for /metrics
HEALTH_CHECKS = {}
METRICS = []


def database_name():
    "Return the database watched: [monitoring] database or the preloaded"
    name = config.get(SECTION, 'database', default=None)
    if not name:
        names = os.environ.get('TRYTOND_DATABASE_NAMES', '')
        name = names.split(',')[0].strip()
    return name or None


# ---------------------------------------------------------------- checks

def _check(func, *args):
    "Run func, return (ok, its result or None); never an error text"
    try:
        return True, func(*args)
    except Exception:
        return False, None


# seconds a health check waits for PostgreSQL to accept a connection
PROBE_TIMEOUT = 5


def _database(name):
    if backend.name == 'postgresql':
        _probe_postgresql(name)
    with Transaction(new=True).start(name, 0, readonly=True) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute('SELECT 1')
        cursor.fetchone()


def _probe_postgresql(name):
    """Connect once, directly, with a short timeout: trytond's pool waits
    its full timeout (30 s) for a database that is gone or does not
    answer, longer than nginx or a monitor waits for /health"""
    import psycopg

    from trytond.backend.postgresql.database import Database
    params = Database._connection_params(name)
    conninfo = params.pop('conninfo')
    with psycopg.connect(conninfo, connect_timeout=PROBE_TIMEOUT, **params):
        pass


def _filestore(name):
    directory = os.path.join(config.get('database', 'path'), name)
    os.makedirs(directory, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, prefix='.health-'):
        pass


def _clamd():
    if not antivirus.ping():
        raise antivirus.ScannerUnavailable()


def queue_backlog(name):
    "Return the number of queued tasks due and the age of the oldest (s)"
    queue = Table('ir_queue')
    now = dt.datetime.now()
    with Transaction(new=True).start(name, 0, readonly=True) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute(*queue.select(Count(queue.id), Min(queue.enqueued_at),
                where=(queue.dequeued_at == Null)
                & ((queue.scheduled_at == Null)
                    | (queue.scheduled_at <= now))))
        count, oldest = cursor.fetchone()
    if isinstance(oldest, str):
        oldest = dt.datetime.fromisoformat(oldest)
    age = (now - oldest).total_seconds() if oldest else 0
    return count, max(age, 0)


def health():
    "Return (ok, the JSON-able report)"
    name = database_name()
    report = {}
    ok = True
    checks = [('database', lambda: _database(name)),
        ('filestore', lambda: _filestore(name))]
    if antivirus.configured():
        checks.append(('clamd', _clamd))
    for key, func in checks:
        passed, _ = _check(func) if name else (False, None)
        report[key] = 'ok' if passed else 'fail'
        ok &= passed
    # without the database, what is read from it is not asked for (each
    # call would wait for the connection again)
    reachable = report['database'] == 'ok'
    passed, backlog = (_check(lambda: queue_backlog(name)) if reachable
        else (False, None))
    if passed:
        pending, age = backlog
        max_age = config.getint(SECTION, 'queue_max_age', default=3600)
        passed = age <= max_age
        report['queue'] = {'status': 'ok' if passed else 'late',
            'pending': pending, 'oldest_seconds': round(age)}
    else:
        report['queue'] = {'status': 'fail'}
    ok &= passed
    for key, check in HEALTH_CHECKS.items():
        if not reachable:
            break
        passed, result = _check(check, name)
        if passed and result is None:
            continue  # not installed in this database
        passed, report[key] = result if passed else (False, 'fail')
        ok &= passed
    report['status'] = 'ok' if ok else 'fail'
    return ok, report


@app.route('/health', methods={'GET'})
def health_route(request):
    ok, report = health()
    return Response(json.dumps(report), mimetype='application/json',
        status=HTTPStatus.OK if ok else HTTPStatus.SERVICE_UNAVAILABLE,
        headers={'Cache-Control': 'no-store'})


# --------------------------------------------------------------- metrics

class RequestMetrics:
    "WSGI middleware counting the requests and their time, by kind"

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        start = time.monotonic()
        status = []

        def start_(code, headers, exc_info=None):
            status.append(code[:1] + 'xx')
            return start_response(code, headers, exc_info)

        try:
            result = self.app(environ, start_)
        except Exception:
            COUNTERS.record(_kind(environ), '5xx', time.monotonic() - start)
            raise
        def record():
            COUNTERS.record(_kind(environ), (status or ['5xx'])[0],
                time.monotonic() - start)
        wrapper = environ.get('wsgi.file_wrapper')
        if isinstance(wrapper, type) and isinstance(result, wrapper):
            # a file keeps the server's sendfile: timed to its first byte
            record()
            return result
        return _Closing(result, record)


class _Closing:
    "The response, timed until the server closes it (all of it sent)"

    def __init__(self, result, on_close):
        self.result, self.on_close = result, on_close

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            if hasattr(self.result, 'close'):
                self.result.close()
        finally:
            self.on_close()


def _kind(environ):
    "A few kinds of requests: a label value per path would be unbounded"
    path = environ.get('PATH_INFO', '')
    if path.endswith('/rpc/'):
        return 'rpc'
    if path in {'/health', '/metrics'}:
        return path[1:]
    if '/session/' in path:
        return 'session'
    if '/bus' in path:
        return 'bus'
    if '/rest/' in path:
        return 'rest'
    return 'other'


class Counters:
    "The counters of this process, saved for the other workers to read"

    def __init__(self):
        self.lock = threading.Lock()
        self.data = {}
        self.saved = 0

    def record(self, kind, status, seconds):
        with self.lock:
            entry = self.data.setdefault('%s %s' % (kind, status),
                {'count': 0, 'sum': 0.0, 'buckets': [0] * len(BUCKETS)})
            entry['count'] += 1
            entry['sum'] += seconds
            index = bisect.bisect_left(BUCKETS, seconds)
            if index < len(BUCKETS):
                entry['buckets'][index] += 1
            if time.monotonic() - self.saved >= 1:
                self.save()

    def snapshot(self):
        with self.lock:
            return json.loads(json.dumps(self.data))

    def save(self):
        directory = metrics_dir()
        self.saved = time.monotonic()
        try:
            os.makedirs(directory, exist_ok=True)
            path = os.path.join(directory, '%s.json' % os.getpid())
            with tempfile.NamedTemporaryFile('w', dir=directory,
                    delete=False, suffix='.tmp') as file:
                json.dump(self.data, file)
            os.replace(file.name, path)
        except OSError:
            pass

    def all_processes(self):
        "Return the counters of every process (this one live)"
        total = {}
        own = '%s.json' % os.getpid()
        snapshots = [self.snapshot()]
        directory = metrics_dir()
        try:
            names = [n for n in os.listdir(directory)
                if n.endswith('.json') and n != own]
        except OSError:
            names = []
        for name in names:
            try:
                with open(os.path.join(directory, name)) as file:
                    snapshots.append(json.load(file))
            except (OSError, ValueError):
                continue
        for snapshot in snapshots:
            for key, entry in snapshot.items():
                into = total.setdefault(key, {'count': 0, 'sum': 0.0,
                        'buckets': [0] * len(BUCKETS)})
                into['count'] += entry['count']
                into['sum'] += entry['sum']
                into['buckets'] = [a + b for a, b in zip(
                        into['buckets'], entry['buckets'], strict=True)]
        return total


def metrics_dir():
    return config.get(SECTION, 'metrics_dir', default=None) or os.path.join(
        tempfile.gettempdir(), 'mvp-metrics-%s' % os.getuid())


COUNTERS = Counters()


def allowed(address):
    networks = config.get(SECTION, 'metrics_networks',
        default=DEFAULT_NETWORKS)
    try:
        address = ipaddress.ip_address(address or '')
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n.strip(), strict=False)
        for n in networks.split(',') if n.strip())


def document_counts(name):
    "Return {(kind, state): count} of the documents"
    counts = {}
    with Transaction(new=True).start(name, 0, readonly=True) as transaction:
        cursor = transaction.connection.cursor()
        for kind, table_name in DOCUMENTS.items():
            table = Table(table_name)
            cursor.execute(*table.select(table.state, Count(table.id),
                    group_by=[table.state]))
            for state, count in cursor:
                counts[(kind, state)] = count
    return counts


def metric_lines(name, kind, help_, samples):
    "Yield the lines of one metric: samples are (labels, value)"
    yield '# HELP %s %s' % (name, help_)
    yield '# TYPE %s %s' % (name, kind)
    for labels, value in samples:
        label = ','.join('%s="%s"' % item for item in labels)
        yield '%s%s %s' % (name, '{%s}' % label if label else '', value)


def _request_lines():
    requests, buckets, sums, counts = [], [], [], []
    for key, entry in sorted(COUNTERS.all_processes().items()):
        kind, status = key.split(' ')
        requests.append(((('kind', kind), ('status', status)),
                entry['count']))
        cumulative = 0
        for le, count in zip(BUCKETS, entry['buckets'], strict=True):
            cumulative += count
            buckets.append(((('kind', kind), ('status', status),
                        ('le', le)), cumulative))
        buckets.append(((('kind', kind), ('status', status),
                    ('le', '+Inf')), entry['count']))
        sums.append(((('kind', kind), ('status', status)),
                round(entry['sum'], 6)))
        counts.append(((('kind', kind), ('status', status)),
                entry['count']))
    yield from metric_lines('mvp_http_requests_total', 'counter',
        "HTTP requests answered, by kind and status class.", requests)
    duration = 'mvp_http_request_duration_seconds'
    yield '# HELP %s Time to answer an HTTP request.' % duration
    yield '# TYPE %s histogram' % duration
    for suffix, samples in [('_bucket', buckets), ('_sum', sums),
            ('_count', counts)]:
        yield from list(metric_lines(duration + suffix, '', '', samples))[2:]


def metrics():
    "Return the metrics in the Prometheus text format"
    name = database_name()
    ok, report = health()
    lines = list(_request_lines())
    lines += metric_lines('mvp_up', 'gauge', "1 when the part answers.",
        [((('check', key),), int(report[key] == 'ok'))
            for key in ['database', 'filestore', 'clamd'] if key in report])
    queue = report['queue']
    if report['database'] != 'ok':
        return '\n'.join(lines) + '\n'
    if 'pending' in queue:
        lines += metric_lines('mvp_queue_pending', 'gauge',
            "Queued tasks due and not started.", [((), queue['pending'])])
        lines += metric_lines('mvp_queue_oldest_seconds', 'gauge',
            "Age of the oldest queued task due.",
            [((), queue['oldest_seconds'])])
    passed, counts = _check(lambda: _cached('documents', name,
            document_counts))
    if passed:
        lines += metric_lines('mvp_documents', 'gauge',
            "Documents by kind and state.",
            [((('kind', k), ('state', s)), c)
                for (k, s), c in sorted(counts.items(), key=str)])
    for collect in METRICS:
        passed, more = _check(_listed, collect, name)
        if passed:
            lines += more
    passed, quarantined = _check(lambda: _quarantined(name))
    if passed:
        lines += metric_lines('mvp_quarantined_files_total', 'counter',
            "Infected files refused.", [((), quarantined)])
    return '\n'.join(lines) + '\n'


def _listed(collect, name):
    return list(collect(name))


_cache = {}


def _cached(key, name, func):
    "Counting 2 million documents at every scrape would cost a core"
    ttl = config.getint(SECTION, 'count_cache', default=60)
    value, until = _cache.get((key, name), (None, 0))
    if time.monotonic() >= until:
        value = func(name)
        _cache[(key, name)] = (value, time.monotonic() + ttl)
    return value


def _quarantined(name):
    table = Table('mvp_document_quarantine')
    with Transaction(new=True).start(name, 0, readonly=True) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute(*table.select(Count(table.id)))
        return cursor.fetchone()[0]


@app.route('/metrics', methods={'GET'})
def metrics_route(request):
    if not allowed(request.remote_addr):
        abort(HTTPStatus.FORBIDDEN)
    return Response(metrics(), headers={'Cache-Control': 'no-store'},
        mimetype='text/plain; version=0.0.4')
