# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 15 item 9: every rule holds for a direct JSON-RPC call.

Each test attacks as one demo official through JSON-RPC (or HTTP) only,
checks the refusal (a user error in Vietnamese) and then, reading the
SQLite file as root, that nothing changed.
"""
import json
import urllib.parse
import uuid

import pytest

from .rpc_attacks import (
    Official, Scene, binary, http, json_body, paper_log, paper_log_row, pdf)

pytestmark = pytest.mark.once  # the demo server runs on SQLite


@pytest.fixture(scope='session')
def scene(attacked_server):
    return Scene(attacked_server)


def unchanged(scene, table, id_, *columns):
    "Return a function telling whether the columns of a row still match"
    before = scene.root.row(table, id_)

    def check():
        after = scene.root.row(table, id_)
        for column in columns:
            assert after[column] == before[column], (
                table, id_, column, before[column], after[column])
    return check


# Agency administrators and accounts

USER_GROUPS = 'res_user-res_group'
ADMIN_GROUPS = [('res', 'group_admin'),
    ('mvp_documents', 'group_mvp_province_admin')]


def account(scene, whose):
    return {'own': scene['cvp.stttt'].user_id,
        'colleague': scene['cv.stttt'].user_id,
        'other agency': scene['ld.ubnd'].user_id}[whose]


@pytest.mark.parametrize('whose', ['own', 'colleague'])
@pytest.mark.parametrize('module,group', ADMIN_GROUPS)
def test_agency_admin_cannot_give_an_account_an_administrator_group(
        scene, whose, module, group):
    user = account(scene, whose)
    before = scene.root.links(USER_GROUPS, 'user', user)
    scene['cvp.stttt'].refused('model.res.user.write', [user],
        {'groups': [('add', [scene.group(group, module)])]})
    assert scene.root.links(USER_GROUPS, 'user', user) == before


@pytest.mark.parametrize('whose', ['own', 'colleague'])
def test_agency_admin_cannot_add_another_agency_to_an_account(
        scene, whose):
    user = account(scene, whose)
    table = 'res_user-company_company'
    before = scene.root.links(table, 'user', user)
    scene['cvp.stttt'].refused('model.res.user.write', [user],
        {'companies': [('add', [scene.ubnd])]})
    assert scene.root.links(table, 'user', user) == before


@pytest.mark.parametrize('whose', ['own', 'colleague'])
def test_agency_admin_cannot_attach_an_official_of_another_agency(
        scene, whose):
    user = account(scene, whose)
    table = 'res_user-company_employee'
    before = scene.root.links(table, 'user', user)
    scene['cvp.stttt'].refused('model.res.user.write', [user],
        {'employees': [('add', [scene['ld.ubnd'].employee])]})
    assert scene.root.links(table, 'user', user) == before


@pytest.mark.parametrize('whose', ['own', 'other agency'])
@pytest.mark.parametrize('values', [
        {'login': 'doi.ten'}, {'active': False}], ids=['login', 'active'])
def test_agency_admin_cannot_rename_or_deactivate_an_account(
        scene, whose, values):
    user = account(scene, whose)
    check = unchanged(scene, 'res_user', user, 'login', 'active')
    scene['cvp.stttt'].refused('model.res.user.write', [user], values)
    check()


def roles_of(scene, user):
    return scene.root.rows('SELECT company, "group" FROM mvp_user_role '
        'WHERE "user" = ? ORDER BY company, "group"', user)


@pytest.mark.parametrize('group', ['group_mvp_leader', 'group_mvp_clerk'])
def test_agency_admin_cannot_grant_themselves_a_role(scene, group):
    cvp = scene['cvp.stttt']
    before = roles_of(scene, cvp.user_id)
    cvp.refused('model.mvp.user.role.create', [{
                'user': cvp.user_id, 'company': cvp.company,
                'group': scene.group(group)}])
    cvp.refused('model.res.user.write', [cvp.user_id], {
            'agency_roles': [('create', [{'company': cvp.company,
                            'group': scene.group(group)}])]})
    assert roles_of(scene, cvp.user_id) == before


def test_agency_admin_cannot_grant_a_role_in_another_agency(scene):
    cvp, officer = scene['cvp.stttt'], scene['cv.stttt']
    before = roles_of(scene, officer.user_id)
    cvp.refused('model.mvp.user.role.create', [{
                'user': officer.user_id, 'company': scene.ubnd,
                'group': scene.group('group_mvp_leader')}])
    assert roles_of(scene, officer.user_id) == before


# Workflow states, numbers and assignments

def test_officer_cannot_approve_a_draft_outgoing_by_writing_its_state(
        scene):
    outgoing = scene.draft_outgoing
    check = unchanged(scene, 'mvp_outgoing', outgoing, 'state', 'number')
    scene['cv.stttt'].refused('model.mvp.outgoing.write', [outgoing],
        {'state': 'approved'})
    check()


def test_officer_cannot_create_an_outgoing_already_approved_and_numbered(
        scene):
    cv = scene['cv.stttt']
    try:
        created = cv.model('mvp.outgoing', 'create', [{
                    'company': cv.company, 'subject': "Tự phê duyệt",
                    'department': scene.department('cv.stttt'),
                    'drafter': cv.employee, 'state': 'approved',
                    'number': 999, 'notation': '999/STTTT-X'}])
    except RuntimeError:
        return  # refused: nothing created
    row = scene.root.row('mvp_outgoing', created[0])
    assert (row['state'], row['number'], row['notation']) == (
        'draft', None, None)


@pytest.mark.parametrize('values', [
        {'state': 'processed'}, {'assigned_by': None},
        {'confidentiality': 'normal'}],
    ids=['state', 'assigned_by', 'confidentiality'])
def test_officer_cannot_write_the_workflow_of_an_incoming(scene, values):
    incoming = scene.assigned_incoming
    check = unchanged(scene, 'mvp_incoming', incoming, *values)
    scene['cv.stttt'].refused('model.mvp.incoming.write', [incoming],
        values)
    check()


@pytest.mark.parametrize('values', [
        {'role': 'info'}, {'state': 'done'}, {'state': 'withdrawn'},
        {'assigner': None}],
    ids=['role', 'state done', 'state withdrawn', 'assigner'])
def test_officer_cannot_change_the_role_or_state_of_their_assignment(
        scene, values):
    assignment = scene.department_assignment
    check = unchanged(scene, 'mvp_assignment', assignment, *values)
    scene['cv.stttt'].refused('model.mvp.assignment.write', [assignment],
        values)
    check()


@pytest.mark.parametrize('values', [
        {'arrival_number': 99}, {'year': 1999},
        {'registered_by': None}, {'state': 'draft'}],
    ids=['arrival_number', 'year', 'registered_by', 'state'])
def test_clerk_cannot_rewrite_the_registration_of_an_incoming(
        scene, values):
    incoming = scene.assigned_incoming
    check = unchanged(scene, 'mvp_incoming', incoming, *values)
    scene['vt.stttt'].refused('model.mvp.incoming.write', [incoming],
        values)
    check()


# Files

FILE_COLUMNS = ('file_id', 'sha256', 'size', 'name', 'locked',
    'superseded_by', 'resource')


@pytest.mark.parametrize('login', ['cv.stttt', 'vt.stttt'])
def test_the_scan_of_a_registered_incoming_cannot_be_replaced(
        scene, login):
    check = unchanged(scene, 'mvp_document_file', scene.scan,
        *FILE_COLUMNS)
    scene[login].refused('model.mvp.document.file.write', [scene.scan],
        {'data': binary(pdf("GIẢ MẠO", "Nội dung khác"))})
    check()


@pytest.mark.parametrize('login', ['cv.stttt', 'vt.stttt'])
def test_the_scan_of_a_registered_incoming_cannot_be_deleted(
        scene, login):
    scene[login].refused('model.mvp.document.file.delete', [scene.scan])
    assert scene.root.row('mvp_document_file', scene.scan)


@pytest.mark.parametrize('values', [
        {'locked': False}, {'superseded_by': None}, {'name': 'khac.pdf'}],
    ids=['locked', 'superseded_by', 'name'])
def test_clerk_cannot_unlock_or_rename_a_released_file(scene, values):
    file = scene.released_file
    check = unchanged(scene, 'mvp_document_file', file, *FILE_COLUMNS)
    scene['vt.stttt'].refused('model.mvp.document.file.write', [file],
        values)
    check()


def test_clerk_cannot_replace_or_delete_a_released_file(scene):
    file = scene.released_file
    check = unchanged(scene, 'mvp_document_file', file, *FILE_COLUMNS)
    vt = scene['vt.stttt']
    vt.refused('model.mvp.document.file.write', [file],
        {'data': binary(pdf("GIẢ MẠO", "Bản khác"))})
    vt.refused('model.mvp.document.file.delete', [file])
    check()


def searched_files(official, domain):
    return official.model('mvp.document.file', 'search', domain)


@pytest.mark.parametrize('login', ['cv.stttt', 'cv2.stttt'])
def test_officer_cannot_find_or_read_a_confidential_incoming_or_its_file(
        scene, login):
    officer = scene[login]
    incoming = scene.confidential_incoming
    resource = 'mvp.incoming,%s' % incoming
    assert officer.model('mvp.incoming', 'search',
        [('id', '=', incoming)]) == []
    officer.refused('model.mvp.incoming.read', [incoming],
        ['subject', 'files'])
    assert searched_files(officer, [('resource', '=', resource)]) == []
    assert searched_files(officer,
        [('text', 'ilike', '%KHOATHUMAT%')]) == []
    for file in scene.files_of('mvp.incoming', incoming):
        officer.refused('model.mvp.document.file.read', [file],
            ['name', 'text', 'data'])


def test_officer_cannot_read_the_file_of_a_document_they_may_not_see(
        scene):
    cv = scene['cv.stttt']
    cv.refused('model.mvp.incoming.read', [scene.unassigned_incoming],
        ['subject'])
    assert scene.hidden_scan not in searched_files(cv, [])
    cv.refused('model.mvp.document.file.read', [scene.hidden_scan],
        ['name', 'text', 'data'])


# Officials of another agency

OTHER_AGENCY = ['ld.ubnd', 'cv.ubnd', 'dual']


def outsider(scene, login):
    return scene.dual if login == 'dual' else scene[login]


def stttt_records(scene):
    "Some records of STTTT by model: documents, files, assignments"
    root, company = scene.root, scene.stttt
    ids = {}
    for model, table in [('mvp.incoming', 'mvp_incoming'),
            ('mvp.outgoing', 'mvp_outgoing'),
            ('mvp.document.file', 'mvp_document_file'),
            ('mvp.assignment', 'mvp_assignment')]:
        ids[model] = [r['id'] for r in root.rows(
                'SELECT id FROM %s WHERE company = ?' % table, company)]
    ids['mvp.incoming.event'] = [r['id'] for r in root.rows(
            'SELECT e.id FROM mvp_incoming_event e JOIN mvp_incoming i '
            'ON e.incoming = i.id WHERE i.company = ?', company)]
    return ids


MODELS = ['mvp.incoming', 'mvp.outgoing', 'mvp.document.file',
    'mvp.assignment', 'mvp.incoming.event']


@pytest.mark.parametrize('login', OTHER_AGENCY)
@pytest.mark.parametrize('model', MODELS)
def test_official_of_another_agency_finds_nothing_of_stttt(
        scene, login, model):
    official = outsider(scene, login)
    ids = stttt_records(scene)[model]
    assert ids
    found = official.model(model, 'search', [])
    assert not set(found) & set(ids)


@pytest.mark.parametrize('login', OTHER_AGENCY)
@pytest.mark.parametrize('model', MODELS)
def test_official_of_another_agency_cannot_read_stttt_records_by_id(
        scene, login, model):
    official = outsider(scene, login)
    for id_ in stttt_records(scene)[model][:3]:
        official.refused('model.%s.read' % model, [id_], ['rec_name'])


@pytest.mark.parametrize('login', OTHER_AGENCY)
def test_official_of_another_agency_cannot_write_stttt_records(
        scene, login):
    official = outsider(scene, login)
    incoming = scene.assigned_incoming
    check = unchanged(scene, 'mvp_incoming', incoming, 'notes', 'deadline')
    official.refused('model.mvp.incoming.write', [incoming],
        {'notes': "Sửa trộm"})
    check()


# Dossier disposal

@pytest.mark.parametrize('values', [
        {'state': 'approved'}, {'state': 'done'},
        {'approved_by': 'leader'}, {'decision': '12/QĐ-STTTT'},
        {'approved_date': '2026-01-01'}],
    ids=['state approved', 'state done', 'approved_by', 'decision',
        'approved_date'])
def test_clerk_cannot_decide_a_disposal(scene, values):
    disposal = scene.disposal
    if values.get('approved_by') == 'leader':
        values = {'approved_by': scene['ld.stttt'].employee}
    if 'approved_date' in values:
        values = {'approved_date': {'__class__': 'date', 'year': 2026,
                'month': 1, 'day': 1}}
    check = unchanged(scene, 'mvp_dossier_disposal', disposal,
        'state', 'approved_by', 'decision', 'approved_date')
    scene['vt.stttt'].refused('model.mvp.dossier.disposal.write',
        [disposal], values)
    check()


def test_clerk_cannot_create_a_disposal_already_approved(scene):
    vt = scene['vt.stttt']
    try:
        created = vt.model('mvp.dossier.disposal', 'create', [{
                    'company': vt.company, 'reason': "Tự phê duyệt",
                    'state': 'approved', 'decision': '1/QĐ',
                    'approved_by': scene['ld.stttt'].employee}])
    except RuntimeError:
        return
    row = scene.root.row('mvp_dossier_disposal', created[0])
    assert (row['state'], row['approved_by'], row['decision']) == (
        'draft', None, None)


# Wizards with forged form values

def incoming_count(scene, register):
    return scene.root.rows('SELECT count(*) AS n FROM mvp_incoming '
        'WHERE register = ?', register)[0]['n']


def backfill_form(scene, company, subject):
    return {'start': {'company': company,
            'register': scene.register(company),
            'data': binary(paper_log([paper_log_row(subject)])),
            'data_name': 'so-giay.xlsx'}}


@pytest.mark.parametrize('login', ['vt.stttt', 'dual'])
def test_backfill_refuses_the_register_of_another_agency(scene, login):
    official = outsider(scene, login)
    target = scene.ubnd if official.company == scene.stttt else scene.stttt
    register = scene.register(target)
    before = incoming_count(scene, register)
    official.wizard_refused('mvp.incoming.backfill',
        ('mvp.incoming', []),
        backfill_form(scene, target, "Nhập bù vào sổ cơ quan khác"),
        'import_')
    assert incoming_count(scene, register) == before


def test_backfill_imports_into_the_clerks_own_register(scene):
    "The control of the attack above: the same paper log is accepted"
    vt = scene['vt.stttt']
    register = scene.register(scene.stttt)
    before = incoming_count(scene, register)
    vt.wizard('mvp.incoming.backfill', ('mvp.incoming', []),
        backfill_form(scene, scene.stttt, "Nhập bù sổ giấy"), 'import_')
    assert incoming_count(scene, register) == before + 1


SIGNER = 'cv.stttt'  # the drafter of the demo draft outgoing


def sign_form(scene, login, file):
    official = scene[login]
    key, passphrase = scene.signing_key(login)
    return {'start': {'file': file, 'company': official.company,
            'user': official.user_id, 'kind': 'personal',
            'personal_key': key, 'passphrase_secret': passphrase}}


def signature_logs(scene, file):
    return scene.root.rows(
        'SELECT id FROM mvp_signature_log WHERE source = ?', file)


@pytest.mark.parametrize('opened_on', ['own file', 'foreign file'])
def test_sign_wizard_refuses_a_file_of_another_agency(scene, opened_on):
    signer = scene[SIGNER]
    foreign = scene.ubnd_file
    own = scene.files_of('mvp.outgoing', scene.draft_outgoing)[-1]
    versions = scene.files_of('mvp.incoming', scene.ubnd_incoming)
    check = unchanged(scene, 'mvp_document_file', foreign, *FILE_COLUMNS)
    active = own if opened_on == 'own file' else foreign
    signer.wizard_refused('mvp.document.file.sign',
        ('mvp.document.file', [active]),
        sign_form(scene, SIGNER, foreign), 'sign')
    check()
    assert scene.files_of('mvp.incoming', scene.ubnd_incoming) == versions
    assert signature_logs(scene, foreign) == []


def test_sign_wizard_signs_a_file_of_the_own_agency(scene):
    "The control of the attack above: the same form on an own file"
    own = scene.files_of('mvp.outgoing', scene.draft_outgoing)[-1]
    scene[SIGNER].wizard('mvp.document.file.sign',
        ('mvp.document.file', [own]), sign_form(scene, SIGNER, own), 'sign')
    assert len(signature_logs(scene, own)) == 1


# Chat bus

def test_bus_refuses_the_chat_of_a_document_the_user_cannot_read(scene):
    """A subscription is a long poll held open for minutes: the server
    must answer at once with an error instead"""
    cv = scene['cv.stttt']
    channel = 'chat:mvp.incoming,%s' % scene.unassigned_incoming
    try:
        status, _ = cv.http('POST', '/%s/bus' % scene.server.database,
            json_body({'channels': [channel]}),
            {'Content-Type': 'application/json'}, timeout=5)
    except TimeoutError:
        pytest.fail("subscribed to %s (long poll held open)" % channel)
    assert 400 <= status < 500, status


def test_chat_of_a_document_the_user_cannot_read_is_refused(scene):
    cv = scene['cv.stttt']
    resource = 'mvp.incoming,%s' % scene.unassigned_incoming
    before = scene.root.rows('SELECT count(*) AS n FROM ir_chat_message')
    cv.refused('model.ir.chat.channel.post', resource, "Tin nhắn trộm",
        'internal')
    cv.refused('model.ir.chat.channel.subscribe', resource)
    assert scene.root.rows(
        'SELECT count(*) AS n FROM ir_chat_message') == before


# HTTP routes

def data_url(scene, model, domain, fields):
    query = [('d', json.dumps(domain))] + [('f', f) for f in fields]
    return '/%s/data/%s?%s' % (scene.server.database, model,
        urllib.parse.urlencode(query))


UNAUTHENTICATED = [
    ('GET', '/{db}/data/mvp.incoming?f=subject', None),
    ('GET', '/{db}/ir/html/mvp.incoming/1/notes', None),
    ('GET', '/{db}/rest/model/mvp.incoming', None),
    ('GET', '/{db}/rest/model/mvp.document.file/1', None),
    ('POST', '/{db}/document_incoming', b'%PDF-1.4'),
    ('POST', '/{db}/inbound_email/inbox/{token}', b'From: x@y\r\n\r\nx'),
    ('GET', '/{db}/mvp_dossier/dossier_export/{export}', None),
    ('POST', '/{db}/mvp/edxml', b'<edXML/>'),
    ('POST', '/{db}/bus', b'{"channels": []}'),
    ('POST', '/{db}/rpc/', json_body({'method': 'model.mvp.incoming.read',
                'params': [[1], ['subject'], {}], 'id': 1})),
    ]


@pytest.mark.parametrize('method,path,body', UNAUTHENTICATED,
    ids=[p for _, p, _ in UNAUTHENTICATED])
def test_routes_refuse_an_unauthenticated_caller(scene, method, path, body):
    path = path.format(db=scene.server.database, token=uuid.uuid4().hex,
        export=scene.dossier_export if '{export}' in path else '')
    status, answer = http(scene.server, method, path, body=body,
        headers={'Content-Type': 'application/json'} if body else {},
        timeout=10)
    if status == 200 and path.endswith('/rpc/'):
        assert json.loads(answer).get('error'), answer
    else:
        assert status in {401, 403, 404}, (status, answer[:300])
    assert "chuyển đổi số".encode() not in answer


@pytest.mark.parametrize('login', ['ld.ubnd', 'dual'])
@pytest.mark.parametrize('model,fields', [
        ('mvp.incoming', ['subject', 'notation']),
        ('mvp.document.file', ['name', 'text', 'resource']),
        ('mvp.assignment', ['instruction', 'incoming'])])
def test_data_export_route_refuses_records_of_another_agency(
        scene, login, model, fields):
    official = outsider(scene, login)
    ids = stttt_records(scene)[model][:3]
    status, answer = official.http('GET',
        data_url(scene, model, ids, fields))
    assert status in {400, 403, 404}, (status, answer[:300])
    status, answer = official.http('GET', data_url(scene, model,
            [('company', '=', scene.stttt)], fields + ['id']))
    rows = answer.decode().splitlines()[1:]
    assert status >= 400 or rows == [], rows


def test_html_route_refuses_a_record_of_another_agency(scene):
    incoming = scene.assigned_incoming
    status, answer = scene['ld.ubnd'].http('GET', '/%s/ir/html/'
        'mvp.incoming/%s/notes' % (scene.server.database, incoming))
    assert status in {400, 403, 404}, status
    status, answer = scene['ld.ubnd'].http('POST', '/%s/ir/html/'
        'mvp.incoming/%s/notes' % (scene.server.database, incoming),
        urllib.parse.urlencode({'text': 'x', '_csrf_token': ''}).encode(),
        {'Content-Type': 'application/x-www-form-urlencoded'})
    assert status in {400, 403, 404}, status


@pytest.mark.parametrize('login', ['ld.ubnd', 'cv2.stttt', 'dual'])
def test_dossier_export_is_downloaded_by_its_maker_only(scene, login):
    path = '/%s/mvp_dossier/dossier_export/%s' % (
        scene.server.database, scene.dossier_export)
    status, answer = outsider(scene, login).http('GET', path)
    assert status in {401, 403, 404}, status
    assert not answer.startswith(b'PK')


def test_dossier_export_is_downloaded_by_its_maker(scene):
    "The control of the attack above"
    path = '/%s/mvp_dossier/dossier_export/%s' % (
        scene.server.database, scene.dossier_export)
    status, answer = scene['cv.stttt'].http('GET', path)
    assert (status, answer[:2]) == (200, b'PK')


# Electronic exchange

def peer_with_route(scene, name, code):
    "A peer of the exchange, whose routes give it the agency code"
    qt = scene['qt.tinh']
    key = 'khoa-%s-%s' % (name, uuid.uuid4().hex)
    peer, = qt.model('mvp.interchange.peer', 'create', [{
                'name': name, 'kind': 'peer',
                'url': 'http://127.0.0.1:9/%s/mvp/edxml' % name,
                'incoming_key_secret': key,
                'outgoing_key_secret': key + '-out'}])
    qt.model('mvp.interchange.route', 'create', [{
                'identifier_code': code, 'name': name, 'peer': peer}])
    return key


def package(scene, sender_code, notation):
    from trytond.modules.mvp_interchange import xml_io
    from trytond.modules.mvp_interchange.tests.test_xml_io import (
        make_package)
    stttt, = scene.root.rows('SELECT identifier_code FROM company_company '
        'WHERE id = ?', scene.stttt)
    number, notation_text = notation.split('/', 1)
    return xml_io.package_bytes(make_package(
            sender=xml_io.Organization(sender_code,
                organ_name="Cơ quan gửi " + sender_code),
            recipients=[xml_io.Organization(stttt['identifier_code'],
                    organ_name="Sở Thông tin và Truyền thông")],
            code_number=number, code_notation=notation_text,
            document_id='%s,2026/11/20,%s' % (sender_code, notation)))


def post_package(scene, key, data):
    status, answer = http(scene.server, 'POST',
        '/%s/mvp/edxml' % scene.server.database, body=data,
        headers={'Authorization': 'Bearer ' + key}, timeout=60)
    return status, json.loads(answer)


def exchanged(scene, notation):
    return scene.root.rows('SELECT id FROM mvp_incoming WHERE notation = ?',
        notation)


def test_exchange_refuses_a_peer_sending_in_the_name_of_another_agency(
        scene):
    key = peer_with_route(scene, 'hub-a', '000.00.00.H41')
    peer_with_route(scene, 'hub-b', '000.00.00.H42')
    notation = '7/UBND-GIA'
    status, answer = post_package(scene, key,
        package(scene, '000.00.00.H42', notation))
    assert answer.get('outcome') == 'rejected', answer
    assert status in {401, 403, 422}, status
    assert exchanged(scene, notation) == []


def test_exchange_accepts_a_peer_sending_for_its_own_agency(scene):
    "The control of the attack above"
    key = peer_with_route(scene, 'hub-c', '000.00.00.H43')
    notation = '8/UBND-THAT'
    status, answer = post_package(scene, key,
        package(scene, '000.00.00.H43', notation))
    assert answer.get('outcome') == 'accepted', answer
    assert len(exchanged(scene, notation)) == 1


def test_official_sessions_are_the_demo_accounts(scene):
    "The attackers are who the tests think they are"
    assert isinstance(scene['cv.stttt'], Official)
    assert scene['cv.stttt'].company == scene.stttt
    assert scene['ld.ubnd'].company == scene.ubnd
    assert scene.dual.company == scene.ubnd
