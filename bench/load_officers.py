# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Simulated officials for locust, started by bench/load.py

Each simulated official signs in with an account of its own (the list
bench/load.py writes to $LOAD_USERS) and works through JSON-RPC as the
web client calls it, with a think time of about $LOAD_THINK seconds:
officers page their inbox, open documents, search, download a file and
record progress then finish; clerks register documents; leaders assign
the registered documents to their officers.
"""
import base64
import itertools
import json
import os
import random

from locust import FastHttpUser, between, task

DATABASE = os.environ.get('LOAD_DATABASE', 'bench_load')
PASSWORD = os.environ.get('LOAD_PASSWORD', '')
THINK = float(os.environ.get('LOAD_THINK', '10'))
with open(os.environ['LOAD_USERS']) if os.environ.get('LOAD_USERS') \
        else open(os.devnull) as _file:
    USERS = json.loads(_file.read() or '[]')
_next = itertools.count()

SEARCHES = [
    'quyet dinh', 'hoi nghi tap huan', 'ke hoach trien khai', 'van thu',
    'bao cao ket qua', 'giay moi', 'thai binh', 'so noi vu', 'dat dai',
    'chuyen doi so', 'lich tiep cong dan', 'ky so van ban',
    ]
INBOX_FIELDS = ['arrival_number', 'subject', 'notation', 'urgency',
    'role', 'deadline', 'state', 'assignee', 'overdue', 'first_read',
    'incoming', 'incoming.rec_name', 'rec_name']
LIST_FIELDS = ['arrival_number', 'arrival_date', 'notation', 'subject',
    'issuer_label', 'state', 'deadline', 'rec_name']
FORM_FIELDS = ['arrival_number', 'arrival_date', 'register', 'issuer_name',
    'number', 'notation', 'issue_date', 'subject', 'urgency',
    'confidentiality', 'channel', 'state', 'deadline', 'rec_name',
    'register.rec_name', 'assignments', 'company']
OPEN = ['assigned', 'in_progress']


MIX = {
    'officer': {'inbox_and_open': 6, 'search': 2, 'download': 1,
        'progress_and_finish': 1},
    # department heads page and read as officers do
    'head': {'inbox_and_open': 6, 'search': 2, 'download': 1},
    'clerk': {'register': 3, 'register_page': 3, 'search': 1},
    'leader': {'assign': 3, 'approve': 2, 'register_page': 2, 'search': 1},
    }


class Official(FastHttpUser):
    "An official of an agency working through the web client's RPC"
    wait_time = between(THINK * 0.5, THINK * 1.5)

    def on_start(self):
        self.account = USERS[next(_next) % len(USERS)]
        self.url = '/%s/rpc/' % DATABASE
        self.auth = None
        self.id = 0
        result = self.rpc('login', 'common.db.login', [
                self.account['login'], {'password': PASSWORD}, 'vi'])
        if result is None:
            self.stop()
            return
        user_id, session = result[:2]
        self.auth = 'Session ' + base64.b64encode(('%s:%s:%s' % (
                    self.account['login'], user_id, session)).encode()
            ).decode()
        self.rpc_context = self.rpc('preferences',
            'model.res.user.get_preferences', [True, {}]) or {}

    def rpc(self, name, method, params):
        "Call method; record the call as name; return the result or None"
        self.id += 1
        headers = {'Content-Type': 'application/json'}
        if self.auth:
            headers['Authorization'] = self.auth
        with self.client.post(self.url, name=name, headers=headers,
                data=json.dumps({'id': self.id, 'method': method,
                        'params': params}),
                catch_response=True) as response:
            try:
                answer = response.json()
            except Exception:
                response.failure('HTTP %s' % response.status_code)
                return None
            if answer.get('error'):
                response.failure(str(answer['error'])[:300])
                return None
            response.success()
            return answer['result']

    def call(self, name, model, method, *args):
        return self.rpc(name, 'model.%s.%s' % (model, method),
            [*args, self.rpc_context])

    def page(self, name, model, domain, order, fields, limit=80):
        "A list page as sao asks it: search, then read of the fields"
        ids = self.call(name, model, 'search', domain, 0, limit, order)
        if ids:
            self.call(name, model, 'read', ids, fields)
        return ids or []

    @task
    def work(self):
        "One action of the account's role, by the role's mix"
        actions = MIX[self.account['role']]
        action, = random.choices(list(actions), list(actions.values()))
        getattr(self, action)()

    def search(self):
        term = random.choice(SEARCHES)
        self.page('search', 'mvp.incoming', [
                ('rec_name', 'ilike', '%' + term + '%')],
            [('arrival_date', 'DESC'), ('id', 'DESC')], LIST_FIELDS)

    def open_document(self, incoming):
        self.call('open', 'mvp.incoming', 'read', [incoming], FORM_FIELDS)

    # an officer: inbox, open, search, download, progress and finish

    def inbox(self):
        return self.page('inbox', 'mvp.assignment', [
                ('employee', '=', self.account['employee']),
                ('state', 'in', OPEN),
                ], [('deadline', 'ASC'), ('id', 'DESC')], INBOX_FIELDS)

    def inbox_and_open(self):
        ids = self.inbox()
        if ids:
            rows = self.call('open', 'mvp.assignment', 'read',
                [random.choice(ids)], ['incoming'])
            if rows:
                self.open_document(rows[0]['incoming'])

    def download(self):
        if self.account.get('file'):
            self.call('download', 'mvp.document.file', 'read',
                [self.account['file']], ['name', 'data'])

    def progress_and_finish(self):
        "Start an assigned work and record progress, or finish one"
        for state in ['in_progress', 'assigned']:
            ids = self.call('inbox', 'mvp.assignment', 'search', [
                    ('employee', '=', self.account['employee']),
                    ('state', '=', state)], 0, 1, None)
            if not ids:
                continue
            if state == 'assigned':
                self.call('start', 'mvp.assignment', 'start', ids)
            self.call('progress', 'mvp.assignment.progress', 'create',
                [{'assignment': ids[0], 'description': 'Đang xử lý',
                        'percent': 50 if state == 'assigned' else 100}])
            if state == 'in_progress':
                self.call('finish', 'mvp.assignment', 'finish', ids)
            return

    # a clerk: registers documents and pages the register

    def register(self):
        number = random.randrange(10 ** 6)
        ids = self.call('register', 'mvp.incoming', 'create', [{
                    'subject': ' '.join(random.sample(SEARCHES, 3)),
                    'issuer_name': 'UBND huyện Vũ Thư',
                    'number': str(number),
                    'notation': '%s/UBND-VP' % number,
                    'channel': 'paper',
                    'register': self.account['register'],
                    }])
        if ids:
            self.call('register', 'mvp.incoming', 'register_arrival', ids)

    def register_page(self):
        self.page('inbox', 'mvp.incoming', [('state', '=', 'registered')],
            [('arrival_date', 'DESC'), ('id', 'DESC')], LIST_FIELDS)

    # a leader: assigns the registered documents to the officers

    def assign(self):
        ids = self.page('inbox', 'mvp.incoming', [
                ('state', '=', 'registered')],
            [('arrival_date', 'DESC'), ('id', 'DESC')], LIST_FIELDS)
        if not ids:
            return
        incoming = random.choice(ids)
        self.open_document(incoming)
        officers = self.account.get('officers')
        if not officers:
            return
        if self.call('assign', 'mvp.assignment', 'create', [{
                        'incoming': incoming,
                        'employee': random.choice(officers),
                        'role': 'lead'}]):
            self.call('assign', 'mvp.incoming', 'assign', [incoming])

    def approve(self):
        "Read a submitted outgoing document and approve it"
        ids = self.page('inbox', 'mvp.outgoing', [
                ('state', '=', 'submitted')], None,
            ['subject', 'state', 'rec_name'])
        if ids:
            outgoing = random.choice(ids)
            self.call('open', 'mvp.outgoing', 'read', [outgoing],
                ['subject', 'state', 'signer', 'release_mode', 'rec_name'])
            self.call('approve', 'mvp.outgoing', 'approve', [outgoing])
