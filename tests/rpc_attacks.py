# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tools of the attack matrix: officials who speak JSON-RPC, the stored
rows read as root (SQLite), and the records the attacks aim at."""
import base64
import contextlib
import datetime as dt
import io
import json
import os
import re
import sqlite3
import urllib.error
import urllib.request
import uuid

from scripts.demo_data import DEMO_PASSWORD

ADMIN_PASSWORD = 'MvpAdmin@2026'
# A letter only Vietnamese uses: every refusal we show must be in it
VIETNAMESE = re.compile(
    '[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợ'
    'ùúủũụưứừửữựỳýỷỹỵ]', re.IGNORECASE)
REFUSALS = {'UserError', 'AccessError'}


def binary(data):
    "A bytes value as the JSON-RPC clients send it"
    return {'__class__': 'bytes', 'base64': base64.b64encode(data).decode()}


class Refused(AssertionError):
    pass


class Official:
    "A logged-in demo account, calling the server with its own context"

    def __init__(self, server, login, password=DEMO_PASSWORD):
        self.server, self.login = server, login
        self.session = server.login(login, password)
        self.user_id = self.session[1]
        self.context = server.rpc('model.res.user.get_preferences',
            [True, {}], self.session)
        self.company = self.context.get('company')
        self.employee = self.context.get('employee')

    def __repr__(self):
        return '<%s>' % self.login

    def call(self, method, *args, context=None):
        return self.server.rpc(method,
            [*args, dict(self.context, **(context or {}))], self.session)

    def model(self, name, method, *args, **kw):
        return self.call('model.%s.%s' % (name, method), *args, **kw)

    def refused(self, method, *args, context=None):
        """Call method and return the message of the refusal.

        The call must answer a user error (AccessError, UserError) whose
        text is Vietnamese; anything else fails the test."""
        try:
            result = self.call(method, *args, context=context)
        except RuntimeError as exception:
            return refusal_message(exception.args[0])
        raise Refused('%s %s%r was accepted: %r' % (
                self.login, method, args, result))

    def wizard(self, name, records, data, state, context=None):
        """Run wizard name on records (model, ids) through JSON-RPC and
        execute state with the form values data, as a client could."""
        model, ids = records
        context = dict(context or {}, active_model=model,
            active_id=ids[0] if ids else None, active_ids=ids)
        session_id, start, _ = self.call(
            'wizard.%s.create' % name, context=context)
        try:
            return self.call('wizard.%s.execute' % name, session_id,
                data, state, context=context)
        finally:
            with contextlib.suppress(RuntimeError):
                self.call('wizard.%s.delete' % name, session_id,
                    context=context)

    def wizard_refused(self, name, records, data, state, context=None):
        try:
            result = self.wizard(name, records, data, state, context)
        except RuntimeError as exception:
            return refusal_message(exception.args[0])
        raise Refused('%s wizard %s %r was accepted: %r' % (
                self.login, name, data, result))

    def http(self, method, path, body=None, headers=None, timeout=30,
            session=True):
        "Call an HTTP route; return (status, body bytes)"
        return http(self.server, method, path, body=body,
            headers=headers, timeout=timeout,
            session=self.session if session else None)


def refusal_message(error):
    "Check error is a user error in Vietnamese; return its message"
    if os.environ.get('MVP_ATTACK_LOG'):
        with open(os.environ['MVP_ATTACK_LOG'], 'a') as log:
            log.write(json.dumps(error, ensure_ascii=False)[:300] + '\n')
    kind, args = error[0], error[1] if len(error) > 1 else None
    assert kind in REFUSALS, "not a user error: %r" % (error,)
    message = args[0] if isinstance(args, (list, tuple)) else str(args)
    assert VIETNAMESE.search(message or ''), (
        "refusal not in Vietnamese: %r" % message)
    return message


def http(server, method, path, body=None, headers=None, timeout=30,
        session=None):
    request = urllib.request.Request(server.url + path, data=body,
        method=method, headers=dict(headers or {}))
    if session:
        request.add_header('Authorization', 'Session ' + base64.b64encode(
                ('%s:%s:%s' % session).encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Root:
    "The stored rows, read from the SQLite file without any rule"

    def __init__(self, path):
        self.path = path

    def rows(self, query, *params):
        connection = sqlite3.connect(str(self.path), timeout=30)
        try:
            connection.row_factory = sqlite3.Row
            return [dict(r) for r in connection.execute(query, params)]
        finally:
            connection.close()

    def row(self, table, id_):
        rows = self.rows('SELECT * FROM "%s" WHERE id = ?' % table, id_)
        return rows[0] if rows else None

    def execute(self, query, *params):
        connection = sqlite3.connect(str(self.path), timeout=30)
        try:
            connection.execute(query, params)
            connection.commit()
        finally:
            connection.close()

    def xml_id(self, module, name):
        row, = self.rows('SELECT db_id FROM ir_model_data '
            'WHERE module = ? AND fs_id = ?', module, name)
        return row['db_id']

    def links(self, table, column, value):
        "The rows of a relation table for one side, as sorted tuples"
        return sorted(tuple(sorted(r.items())) for r in self.rows(
                'SELECT * FROM "%s" WHERE "%s" = ?' % (table, column),
                value))


def paper_log(rows):
    "A paper incoming log spreadsheet as the back-fill wizard reads it"
    import xlsxwriter

    from trytond.modules.mvp_capture.backfill import COLUMNS
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {'in_memory': True})
    sheet = workbook.add_worksheet("Sổ văn bản đến")
    for column, (key, heading, *_) in enumerate(COLUMNS):
        sheet.write_string(0, column, heading)
        for number, row in enumerate(rows, 1):
            if row.get(key) is not None:
                sheet.write_string(number, column, str(row[key]))
    workbook.close()
    return buffer.getvalue()


def paper_log_row(subject):
    yesterday = dt.date.today() - dt.timedelta(days=1)
    return {'arrival_date': yesterday.strftime('%d/%m/%Y') + ' 08:30',
        'issuer': "Sở Nội vụ", 'document_type': "Công văn",
        'subject': subject, 'notation': '27/SNV-VP'}


def json_body(data):
    return json.dumps(data).encode()


def pdf(title, *lines):
    from scripts.demo_documents import pdf as demo_pdf
    return demo_pdf(title, list(lines))


class Scene:
    """The demo database and the records the attacks aim at.

    Each record is made the first time a test needs it, through JSON-RPC
    by the official whose work it is, so a broken step fails only the
    tests that need it."""

    def __init__(self, server):
        self.server = server
        self.root = Root(server.database_file)
        self._officials = {}

    def __getitem__(self, login):
        "The logged-in official of login (one session per login)"
        if login not in self._officials:
            password = ADMIN_PASSWORD if login == 'admin' else DEMO_PASSWORD
            self._officials[login] = Official(self.server, login, password)
        return self._officials[login]

    def group(self, name, module='mvp_documents'):
        return self.root.xml_id(module, name)

    @property
    def stttt(self):
        return self['vt.stttt'].company

    @property
    def ubnd(self):
        return self['vt.ubnd'].company

    def register(self, company, kind='incoming'):
        rows = self.root.rows('SELECT id FROM mvp_register '
            'WHERE company = ? AND kind = ? ORDER BY id', company, kind)
        return rows[0]['id']

    def incoming(self, notation):
        "The demo incoming document of STTTT printed with notation"
        row, = self.root.rows(
            'SELECT id FROM mvp_incoming WHERE notation = ?', notation)
        return row['id']

    def files_of(self, model, id_):
        return [r['id'] for r in self.root.rows(
                'SELECT id FROM mvp_document_file WHERE resource = ? '
                'ORDER BY id', '%s,%s' % (model, id_))]

    def department(self, login):
        official = self[login]
        row, = self.root.rows('SELECT department FROM company_employee '
            'WHERE id = ?', official.employee)
        return row['department']

    # Demo records

    @property
    def assigned_incoming(self):
        "Registered, assigned to the officers' department, with a scan"
        return self.incoming('1520/UBND-KGVX')

    @property
    def unassigned_incoming(self):
        "Submitted to the leader, not given to anyone yet"
        return self.incoming('45/QĐ-BTTTT')

    @property
    def scan(self):
        return self.files_of('mvp.incoming', self.assigned_incoming)[0]

    @property
    def hidden_scan(self):
        return self.files_of('mvp.incoming', self.unassigned_incoming)[0]

    @property
    def draft_outgoing(self):
        row, = self.root.rows("SELECT id FROM mvp_outgoing "
            "WHERE state = 'draft' AND company = ? ORDER BY id LIMIT 1",
            self.stttt)
        return row['id']

    @property
    def department_assignment(self):
        "The lead assignment of the officers' department"
        row, = self.root.rows('SELECT id FROM mvp_assignment '
            'WHERE incoming = ? AND department = ? AND parent IS NULL',
            self.assigned_incoming, self.department('cv.stttt'))
        return row['id']

    # Records made by the tests' officials

    def __getattr__(self, name):
        # lazily built records: self.<name> calls self._make_<name>() once
        maker = getattr(type(self), '_make_' + name, None)
        if maker is None:
            raise AttributeError(name)
        value = maker(self)
        setattr(self, name, value)
        return value

    def _make_released_outgoing(self):
        "A paper outgoing document the clerk released: its files locked"
        cv, tp, ld, vt = (self[l] for l in [
                'cv.stttt', 'tp.stttt', 'ld.stttt', 'vt.stttt'])
        type_, = cv.model('mvp.document.type', 'search',
            [('code', '=', 'cong_van')])
        outgoing, = cv.model('mvp.outgoing', 'create', [{
                    'company': cv.company,
                    'department': self.department('cv.stttt'),
                    'drafter': cv.employee, 'signer': ld.employee,
                    'document_type': type_,
                    'subject': "Về việc thử phát hành bản giấy",
                    'release_mode': 'paper'}])
        cv.wizard('mvp.outgoing.add_version', ('mvp.outgoing', [outgoing]),
            {'start': {'document': binary(pdf("CÔNG VĂN", "Dự thảo")),
                    'document_name': 'du-thao.pdf'}}, 'add')
        cv.model('mvp.outgoing', 'initial', [outgoing])
        tp.model('mvp.outgoing', 'initial', [outgoing])
        cv.model('mvp.outgoing', 'submit', [outgoing])
        ld.model('mvp.outgoing', 'approve', [outgoing])
        vt.model('mvp.outgoing', 'assign_number', [outgoing])
        vt.model('mvp.outgoing.recipient', 'create', [{
                    'outgoing': outgoing, 'kind': 'outside',
                    'name': "Công ty Cổ phần ABC",
                    'purpose': 'information'}])
        vt.model('mvp.outgoing', 'release', [outgoing])
        return outgoing

    @property
    def released_file(self):
        file, = self.files_of('mvp.outgoing', self.released_outgoing)
        assert self.root.row('mvp_document_file', file)['locked']
        return file

    def _make_confidential_incoming(self):
        """A registered mật document given to the officers' department:
        only the leader, the clerk and the department head may see it"""
        vt, ld = self['vt.stttt'], self['ld.stttt']
        incoming, = vt.model('mvp.incoming', 'create', [{
                    'company': vt.company,
                    'issuer_name': "Bộ Công an",
                    'notation': '12/BCA-A05',
                    'confidentiality': 'confidential', 'channel': 'paper',
                    'submitted_to': ld.employee}])
        with contextlib.suppress(RuntimeError):
            # refused once classified documents hold no content (item 6)
            vt.model('mvp.document.file', 'create', [{
                        'resource': 'mvp.incoming,%s' % incoming,
                        'company': vt.company, 'kind': 'scan',
                        'name': '12-BCA-A05.pdf',
                        'data': binary(pdf("CÔNG VĂN", "Nội dung mật"))}])
        vt.model('mvp.incoming', 'register_arrival', [incoming])
        vt.model('mvp.incoming', 'submit', [incoming])
        ld.model('mvp.assignment', 'create', [{
                    'incoming': incoming, 'role': 'lead',
                    'department': self.department('cv.stttt')}])
        ld.model('mvp.incoming', 'assign', [incoming])
        for file in self.files_of('mvp.incoming', incoming):
            # what recognition would have read from the scan
            self.root.execute('UPDATE mvp_document_file SET text = ? '
                'WHERE id = ?', "Nội dung mật KHOATHUMAT", file)
        return incoming

    def _make_ubnd_incoming(self):
        "A registered incoming document of UBND, with its scan"
        vt = self['vt.ubnd']
        incoming, = vt.model('mvp.incoming', 'create', [{
                    'company': vt.company,
                    'issuer_name': "Bộ Nội vụ",
                    'notation': '88/BNV-VP', 'subject': "Về việc của UBND",
                    'channel': 'paper'}])
        vt.model('mvp.document.file', 'create', [{
                    'resource': 'mvp.incoming,%s' % incoming,
                    'company': vt.company, 'kind': 'scan',
                    'name': '88-BNV-VP.pdf',
                    'data': binary(pdf("CÔNG VĂN", "Văn bản của UBND"))}])
        vt.model('mvp.incoming', 'register_arrival', [incoming])
        return incoming

    @property
    def ubnd_file(self):
        return self.files_of('mvp.incoming', self.ubnd_incoming)[0]

    def _make_dual(self):
        """An official of STTTT and UBND (clerk in both, made by the
        provincial administrator), working in UBND"""
        qt = self['qt.tinh']
        employees = []
        for company in [self.stttt, self.ubnd]:
            party, = qt.model('party.party', 'create',
                [{'name': "Lê Thị Song"}])
            employee, = qt.model('company.employee', 'create', [{
                        'party': party, 'company': company}])
            employees.append(employee)
        user, = qt.model('res.user', 'create', [{
                    'name': "Lê Thị Song", 'login': 'song.hai',
                    'password': DEMO_PASSWORD,
                    'companies': [('add', [self.stttt, self.ubnd])],
                    'employees': [('add', employees)],
                    'company': self.ubnd, 'employee': employees[1]}])
        # the provincial administrator lets the demo password stand (with
        # mvp_security, a password given by an administrator is changed
        # at the first sign-in)
        qt.model('res.user', 'write', [user], {'password_must_change': False})
        qt.model('mvp.user.role', 'create', [{
                    'user': user, 'company': company,
                    'group': self.group('group_mvp_clerk')}
                for company in [self.stttt, self.ubnd]])
        return Official(self.server, 'song.hai')

    def _make_disposal(self):
        "A disposal review the clerk of STTTT opened"
        vt = self['vt.stttt']
        disposal, = vt.model('mvp.dossier.disposal', 'create', [{
                    'company': vt.company,
                    'reason': "Hết thời hạn bảo quản"}])
        return disposal

    def _make_pki(self):
        "The test certification authority, trusted by the province"
        from trytond.modules.mvp_signature.tests.pki import pki
        authority = pki()
        qt = self['qt.tinh']
        qt.model('mvp.signature.trust_root', 'create', [{
                    'name': "CA thử nghiệm",
                    'certificate': binary(authority.root.der)}])
        qt.model('mvp.signature.crl', 'create', [{
                    'name': "CRL thử nghiệm",
                    'data': binary(authority.crl)}])
        return authority

    def signing_key(self, login):
        "The personal key (id, passphrase) of login, uploaded by them"
        from trytond.modules.mvp_signature.tests.pki import PASSPHRASE
        keys = self.__dict__.setdefault('_signing_keys', {})
        if login not in keys:
            official = self[login]
            key, = official.model('mvp.signature.personal_key', 'create', [{
                        'user': official.user_id, 'name': "USB ký số",
                        'pkcs12': binary(self.pki.official.p12(
                                self.pki.chain))}])
            keys[login] = key, PASSPHRASE
        return keys[login]

    def _make_dossier_export(self):
        "An archive of a dossier of STTTT, exported by its officer"
        cv = self['cv.stttt']
        today = dt.date.today()
        dossier, = cv.model('mvp.dossier', 'create', [{
                    'company': cv.company, 'year': today.year,
                    'code': 'HS-%s' % uuid.uuid4().hex[:6],
                    'title': "Hồ sơ chuyển đổi số", 'retention': '20',
                    'responsible': cv.employee, 'usage': 'internal',
                    'start_date': {'__class__': 'date', 'year': today.year,
                        'month': today.month, 'day': today.day}}])
        # only a closed dossier is exported: one document, then closed
        cv.model('mvp.document.file', 'create', [{
                    'resource': 'mvp.dossier,%s' % dossier,
                    'company': cv.company, 'name': 'bao-cao.pdf',
                    'data': binary(pdf("BÁO CÁO", "Chuyển đổi số"))}])
        cv.model('mvp.dossier', 'close', [dossier])
        cv.model('mvp.dossier', 'export_archive', [dossier])
        row, = self.root.rows('SELECT id FROM mvp_dossier_export '
            'WHERE dossier = ?', dossier)
        return row['id']
