# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo as a person meets it: logins, role menus, Vietnamese web client.

Runs a real trytond with the demo data and drives headless Chromium
through the page objects of pages.py: each story reads as the steps of
its users; the checks behind it read the server by JSON-RPC.
"""
import base64
import hashlib
import re
import urllib.error
import urllib.request

import pytest

from scripts.demo_data import DEMO_PASSWORD

from .pages import needs_browser, wait_for, web_client

pytestmark = pytest.mark.once  # independent of the database backend


def top_menus(server, session):
    return {m['name']: m['id'] for m in server.rpc(
            'model.ir.ui.menu.search_read',
            [[], 0, None, None, ['name'], {'language': 'vi'}], session)}


def test_every_printed_login_works_and_sees_its_role_menus(demo_server):
    "Each role's login opens a session and sees the menus of its role"
    logins = {login for _, login, _ in demo_server.logins}
    assert len(logins) >= 6
    seen = {}
    for login in logins:
        session = demo_server.login(login, DEMO_PASSWORD)
        seen[login] = top_menus(demo_server, session)
        assert "Văn phòng điện tử" in seen[login], login
    # agency administration only for the agency and provincial administrators
    assert "Quản trị" in seen['cvp.stttt']
    assert "Quản trị" in seen['qt.tinh']
    assert "Quản trị" not in seen['vt.stttt']
    assert "Quản trị" not in seen['cv.stttt']


def test_wrong_password_is_refused(demo_server):
    with pytest.raises((RuntimeError, urllib.error.HTTPError)):
        demo_server.login('vt.stttt', 'not-the-password')


def test_web_client_is_served_with_its_security_headers(demo_server):
    """The page the browser tests drive comes with the CSP that allows its
    inline start-up script by hash, and may not be framed elsewhere"""
    with urllib.request.urlopen(demo_server.url + '/') as response:
        page = response.read().decode()
        headers = response.headers
    policy = headers['Content-Security-Policy']
    inline = re.findall(
        r'<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>', page, re.S)
    assert inline
    for script in inline:
        digest = base64.b64encode(
            hashlib.sha256(script.encode()).digest()).decode()
        assert "'sha256-%s'" % digest in policy
    assert "frame-ancestors 'self'" in policy
    assert headers['X-Frame-Options'] == 'SAMEORIGIN'
    assert headers['X-Content-Type-Options'] == 'nosniff'


@needs_browser
@pytest.mark.parametrize('width,height', [(1280, 800), (390, 844)])
def test_clerk_logs_in_and_sees_vietnamese_menu(demo_server, width, height):
    "A clerk logs in through the web client at desktop and phone size"
    with web_client(demo_server, width, height) as login:
        client = login.log_in('vt.stttt', screenshot_as='login-%s.png' % width)
        client.screenshot('clerk-menu-%s.png' % width)
        # the status bar names the agency the clerk works in
        if width >= 768:
            assert "Sở Thông tin và Truyền thông" in client.text()
        # the directory is in Vietnamese
        client.expand_main_menu()


def submitted_drafts(server, session):
    return server.rpc('model.mvp.outgoing.search_read',
        [[('state', '=', 'submitted')], 0, None, [('id', 'ASC')],
            ['subject'], {}], session)


@needs_browser
def test_leader_approves_and_returns_drafts_on_a_phone(demo_server):
    "At 390x844 the leader approves one draft and returns another"
    session = demo_server.login('ld.stttt', DEMO_PASSWORD)
    to_approve, to_return = submitted_drafts(demo_server, session)[:2]
    with web_client(demo_server, 390, 844) as login:
        client = login.log_in('ld.stttt')

        draft = client.open_record('mvp.outgoing', to_approve['id'])
        draft.click("Duyệt", screenshot_as='leader-approve-390.png')
        assert wait_for_state(demo_server, session, to_approve['id'],
            'approved')

        draft = client.open_record('mvp.outgoing', to_return['id'])
        reason = draft.click_for_dialog("Trả lại")
        reason.fill('textarea', "Bổ sung số liệu quý IV")
        client.screenshot('leader-return-390.png')
        reason.press("Trả lại")
        assert wait_for_state(demo_server, session, to_return['id'], 'draft')
    history = demo_server.rpc('model.mvp.outgoing.approval.search_read',
        [[('outgoing', '=', to_return['id']), ('kind', '=', 'return')],
            0, None, None, ['reason'], {}], session)
    assert [h['reason'] for h in history] == ["Bổ sung số liệu quý IV"]


@needs_browser
def test_drafter_signs_the_draft_in_the_web_client(demo_server):
    "The drafter signs the draft PDF with the Sign button and a passphrase"
    pki_module = pytest.importorskip(
        'trytond.modules.mvp_signature.tests.pki')
    pki = pki_module.pki()
    session = demo_server.login('cv.stttt', DEMO_PASSWORD)
    draft, = demo_server.rpc('model.mvp.outgoing.search_read',
        [[('state', '=', 'draft'), ('subject', 'ilike', '%thuê bao%')],
            0, None, None, ['id'], {}], session)
    # the officer's USB token, as a PKCS#12 file made by the test PKI
    p12 = pki.official.p12(pki.chain)
    demo_server.rpc('model.mvp.signature.personal_key.create', [[{
                    'user': session[1], 'name': "USB token",
                    'pkcs12': {'__class__': 'bytes',
                        'base64': base64.b64encode(p12).decode()},
                    }], {}], session)
    with web_client(demo_server, 1280, 800) as login:
        client = login.log_in('cv.stttt')
        form = client.open_record('mvp.outgoing', draft['id'])
        sign = form.click_for_dialog("Ký số")
        sign.fill('input[name=passphrase_secret]', pki_module.PASSPHRASE)
        client.screenshot('drafter-sign-1280.png')
        sign.press("Ký số")
        assert wait_for(lambda: signed_files(demo_server, session,
                draft['id']))
    signed, = signed_files(demo_server, session, draft['id'])
    assert "Nguyễn Văn An" in signed['signature_signer']


def signed_files(server, session, outgoing_id):
    return server.rpc('model.mvp.document.file.search_read', [[
                ('resource', '=', 'mvp.outgoing,%s' % outgoing_id),
                ('signature_count', '>', 0)],
            0, None, None, ['signature_signer'], {}], session)


def wait_for_state(server, session, record_id, state):
    def reached():
        record, = server.rpc('model.mvp.outgoing.read',
            [[record_id], ['state'], {}], session)
        return record['state'] == state
    return wait_for(reached)


def read(server, session, model, record_id, names):
    record, = server.rpc('model.%s.read' % model,
        [[record_id], names, {}], session)
    return record


def employee_of(server, session):
    "The employee of the session's user and its department"
    user = read(server, session, 'res.user', session[1], ['employee'])
    return read(server, session, 'company.employee', user['employee'],
        ['id', 'department'])


def value_is(server, session, model, record_id, name, value):
    return read(server, session, model, record_id, [name])[name] == value


def wait_for_value(server, session, model, record_id, name, value):
    return wait_for(lambda: value_is(
            server, session, model, record_id, name, value))


def own_assignment(server, session, incoming_id):
    "The assignment of the incoming document made to the session's user"
    employee = employee_of(server, session)
    assignment, = server.rpc('model.mvp.assignment.search_read', [[
                ('incoming', '=', incoming_id),
                ('employee', '=', employee['id'])],
            0, None, None, ['state'], {}], session)
    return assignment


def officer_finishes(login_page, server, login, incoming_id, result):
    "The officer opens the assignment, starts it if needed and finishes"
    session = server.login(login, DEMO_PASSWORD)
    assignment = own_assignment(server, session, incoming_id)
    client = login_page.log_in(login)
    form = client.open_record('mvp.assignment', assignment['id'])
    form.wait_for_field('result')
    if assignment['state'] == 'assigned':
        form.click("Bắt đầu xử lý")
        assert wait_for_value(server, session, 'mvp.assignment',
            assignment['id'], 'state', 'in_progress')
    form.fill('result', result)
    form.click("Hoàn thành",
        screenshot_as='officer-finish-%s.png' % login.split('.')[0])
    assert wait_for_value(server, session, 'mvp.assignment',
        assignment['id'], 'state', 'done')


@needs_browser
def test_incoming_from_scan_to_processed_in_the_web_client(demo_server):
    """A clerk registers a scan, the leader assigns it on a phone, the
    department head hands it to an officer, two officers finish it"""
    scan_tools = pytest.importorskip(
        'trytond.modules.mvp_capture.tests.scan_tools')
    server = demo_server
    clerk = server.login('vt.stttt', DEMO_PASSWORD)
    context = server.rpc('model.res.user.get_preferences', [True, {}], clerk)
    leader = employee_of(server, server.login('ld.stttt', DEMO_PASSWORD))
    head = employee_of(server, server.login('tp.stttt', DEMO_PASSWORD))
    officer2 = employee_of(server, server.login('cv2.stttt', DEMO_PASSWORD))
    scan = (scan_tools.vietnamese_scan('pdf')
        if scan_tools.can_rasterise() else scan_tools.vietnamese_page_pdf())
    # the scanner's upload: a file without metadata yet
    incoming_id, = server.rpc('model.mvp.incoming.create', [[{
                    'issuer_name': "UBND huyện Đông Hưng",
                    'notation': '51/TTr-UBND',
                    'submitted_to': leader['id'],
                    'files': [('create', [{'kind': 'scan',
                                    'name': 'to-trinh-51.pdf',
                                    'data': {'__class__': 'bytes',
                                        'base64': base64.b64encode(
                                            scan).decode()}}])],
                    }], context], clerk)

    with web_client(server, 1280, 800) as login:
        client = login.log_in('vt.stttt')
        form = client.open_record('mvp.incoming', incoming_id)
        form.fill('subject', "Về việc hỗ trợ kinh phí chuyển đổi số")
        form.click("Vào sổ")
        assert wait_for_value(server, clerk, 'mvp.incoming', incoming_id,
            'state', 'registered')
        form.click("Trình", screenshot_as='clerk-submit-1280.png')
        assert wait_for_value(server, clerk, 'mvp.incoming', incoming_id,
            'state', 'submitted')

    director = server.login('ld.stttt', DEMO_PASSWORD)
    server.rpc('model.mvp.incoming.write', [[incoming_id], {
                'assignments': [('create', [
                            {'department': head['department'],
                                'role': 'lead',
                                'instruction': "Phòng chủ trì tham mưu"},
                            {'employee': officer2['id'],
                                'role': 'coordinate'}])]}, {}], director)
    with web_client(server, 390, 844) as login:
        form = login.log_in('ld.stttt').open_record(
            'mvp.incoming', incoming_id)
        assert form.click_until("Phân công", lambda: value_is(
                server, director, 'mvp.incoming', incoming_id,
                'state', 'assigned'),
            screenshot_as='leader-assign-390.png')

    chief = server.login('tp.stttt', DEMO_PASSWORD)
    part, = server.rpc('model.mvp.assignment.search_read', [[
                ('incoming', '=', incoming_id),
                ('department', '=', head['department']),
                ('parent', '=', None)], 0, None, None, ['id'], {}], chief)
    officer = employee_of(server, server.login('cv.stttt', DEMO_PASSWORD))
    server.rpc('model.mvp.assignment.create', [[{
                    'incoming': incoming_id, 'parent': part['id'],
                    'employee': officer['id'], 'role': 'lead',
                    'instruction': "Đồng chí dự thảo văn bản trả lời"}],
            context], chief)
    with web_client(server, 1280, 800) as login:
        form = login.log_in('tp.stttt').open_record(
            'mvp.assignment', part['id'])
        assert form.click_until("Giao trong phòng", lambda: value_is(
                server, chief, 'mvp.assignment', part['id'],
                'state', 'in_progress'))

    for login, result in [
            ('cv2.stttt', "Đã cho ý kiến phối hợp"),
            ('cv.stttt', "Đã dự thảo công văn trả lời")]:
        with web_client(server, 1280, 800) as login_page:
            officer_finishes(login_page, server, login, incoming_id, result)

    assert wait_for_value(server, clerk, 'mvp.incoming', incoming_id,
        'state', 'processed')
    events = server.rpc('model.mvp.incoming.event.search_read', [[
                ('incoming', '=', incoming_id), ('code', '!=', None)],
            0, None, [('date', 'ASC'), ('id', 'ASC')], ['code'], {}], clerk)
    codes = [e['code'] for e in events]
    assert codes[0] == '03' and codes[-1] == '06', codes
    assert '04' in codes and '05' in codes, codes


def link_to_dossier(client, model, record_id, dossier_code):
    "Open the record and add it to the dossier with the action menu"
    form = client.open_record(model, record_id).wait_for_field('subject')
    # let the form finish drawing: the client takes a half-drawn form
    # for a modified one and asks to save it first
    client.pause(1500)
    form.launch_action("Đưa vào hồ sơ")
    dialog = form.dialog_with('input[name=dossier]')
    dialog.choose('input[name=dossier]', dossier_code)
    dialog.press("Đưa vào")
    dialog.wait_closed()


def dossier_documents(server, session, dossier_id):
    return [l['document'] for l in server.rpc(
            'model.mvp.dossier.line.search_read',
            [[('dossier', '=', dossier_id)], 0, None, [('number', 'ASC')],
                ['document'], {}], session)]


@needs_browser
def test_dossier_from_the_year_list_to_the_archive_in_the_web_client(
        demo_server):
    """An officer opens a dossier from the approved list, adds an incoming
    document and its answer from their forms, closes it; the clerk hands
    it over; the export downloads with its index"""
    import datetime as dt
    import io
    import urllib.request
    import zipfile

    server = demo_server
    clerk = server.login('vt.stttt', DEMO_PASSWORD)
    context = server.rpc('model.res.user.get_preferences', [True, {}], clerk)
    officer_session = server.login('cv.stttt', DEMO_PASSWORD)
    officer = employee_of(server, officer_session)
    year = dt.date.today().year
    list_id, = server.rpc('model.mvp.dossier.list.create', [[{
                    'year': year,
                    'name': "Danh mục hồ sơ năm %s" % year,
                    'entries': [('create', [{
                                    'code': '07.BCVT',
                                    'title': "Hồ sơ hỗ trợ chuyển đổi số "
                                    "cấp huyện",
                                    'retention': '10',
                                    'responsible': officer['id'],
                                    'department': officer['department'],
                                    }])],
                    }], context], clerk)
    director = server.login('ld.stttt', DEMO_PASSWORD)
    server.rpc('model.mvp.dossier.list.approve', [[list_id], {}], director)
    entry, = server.rpc('model.mvp.dossier.list.entry.search_read',
        [[('list', '=', list_id)], 0, None, None, ['id'], {}], clerk)
    incoming = server.rpc('model.mvp.incoming.search_read',
        [[], 0, 1, [('id', 'ASC')], ['id'], {}], officer_session)[0]
    answer = server.rpc('model.mvp.outgoing.search_read',
        [[('subject', 'not ilike', '%thuê bao%')], 0, 1, [('id', 'ASC')],
            ['id'], {}], officer_session)[0]

    with web_client(server, 1280, 800) as login:
        client = login.log_in('cv.stttt')
        client.open_record('mvp.dossier.list.entry', entry['id']).click(
            "Mở hồ sơ")
        # the new dossier opens in a tab of its own
        client.wait_for_text('07.BCVT', timeout=60000)

        def opened():
            return server.rpc('model.mvp.dossier.search_read',
                [[('list_entry', '=', entry['id'])], 0, None, None,
                    ['id', 'state'], {}], officer_session)
        assert wait_for(opened)
        dossier, = opened()
        assert dossier['state'] == 'open'

        link_to_dossier(client, 'mvp.incoming', incoming['id'], '07.BCVT')
        link_to_dossier(client, 'mvp.outgoing', answer['id'], '07.BCVT')
        assert dossier_documents(server, officer_session, dossier['id']) == [
            'mvp.incoming,%s' % incoming['id'],
            'mvp.outgoing,%s' % answer['id']]

        # the work ended almost a year ago: the archive waits for it
        today = dt.date.today()
        server.rpc('model.mvp.dossier.write', [[dossier['id']], {
                    'start_date': {'__class__': 'date', 'year': year - 1,
                        'month': 1, 'day': 5},
                    'end_date': {'__class__': 'date', 'year': year - 1,
                        'month': today.month, 'day': min(today.day, 28)},
                    }, {}], officer_session)
        # the leader's note on the dossier; the officer files it as the
        # third document from the dossier's list of documents
        note, = server.rpc('model.ir.note.create', [[{
                        'resource': 'mvp.dossier,%s' % dossier['id'],
                        'message': "Đề nghị hoàn thiện hồ sơ trước 31/12\n"
                        "Bổ sung biên bản làm việc với UBND huyện",
                        }], {}], director)
        form = client.open_record('mvp.dossier', dossier['id'])
        # the documents open in a tab of their own, two rows so far
        documents = form.related("Văn bản", "Văn bản của hồ sơ")
        client.pause(1500)
        documents.add_reference("Văn bản", 'ir.note', "Đề nghị hoàn thiện")
        assert wait_for(lambda: len(dossier_documents(
                    server, officer_session, dossier['id'])) == 3)
        assert dossier_documents(server, officer_session, dossier['id'])[
            2] == 'ir.note,%s' % note
        form = client.open_record('mvp.dossier', dossier['id'])
        # the dossier's tab was opened before the note was filed: reload
        form.reload()
        client.pause(1500)
        form.confirm("Kết thúc hồ sơ", "khóa hồ sơ", "Đồng ý",
            screenshot_as='officer-dossier-close-1280.png')
        assert wait_for_value(server, officer_session, 'mvp.dossier',
            dossier['id'], 'state', 'closed')

    handover, = server.rpc('model.mvp.dossier.handover.create', [[{
                    'archivist': "Phạm Thị Dung"}], context], clerk)
    with web_client(server, 1280, 800) as login:
        client = login.log_in('vt.stttt')
        form = client.open_record('mvp.dossier.handover', handover)
        form.click("Thêm hồ sơ đến hạn nộp lưu")
        assert wait_for_value(server, clerk, 'mvp.dossier', dossier['id'],
            'handover', handover)
        # the list shows the dossier once the form is reloaded
        client.wait_for_cell('07.BCVT')
        client.pause(1000)
        form.click("Nộp lưu", screenshot_as='clerk-dossier-handover-1280.png')
        assert wait_for_value(server, clerk, 'mvp.dossier', dossier['id'],
            'state', 'handed_over')

    with web_client(server, 1280, 800) as login:
        client = login.log_in('cv.stttt')
        client.open_record('mvp.dossier', dossier['id']).click("Kết xuất")

        def exported():
            return server.rpc('model.mvp.dossier.export.search_read',
                [[('dossier', '=', dossier['id'])], 0, None, None,
                    ['url', 'document_count'], {}], officer_session)
        assert wait_for(exported)
        # the export opens in its own tab, named by its ZIP file
        client.wait_for_text(re.compile(r'07\.?BCVT\.zip'))
        client.screenshot('officer-dossier-export-1280.png')
    export, = exported()
    assert export['document_count'] == 3
    token = export['url'].rsplit('/', 1)[1]
    with urllib.request.urlopen('%s/%s/mvp_dossier/dossier_export/%s' % (
                server.url, server.database, token)) as response:
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    names = archive.namelist()
    assert {'metadata.xml', 'metadata.csv', 'muc-luc-van-ban.pdf'} <= set(
        names), names
    index = archive.read('metadata.xml').decode('utf-8')
    assert '<DocTotal>3</DocTotal>' in index
    assert '07.BCVT' in index
    # the responsible officer is the Creator
    assert read(server, officer_session, 'company.employee', officer['id'],
        ['rec_name'])['rec_name'] in index


def rpc_datetime(value):
    return {'__class__': 'datetime', 'year': value.year,
        'month': value.month, 'day': value.day, 'hour': value.hour,
        'minute': value.minute, 'second': 0, 'microsecond': 0}


@needs_browser
def test_meeting_and_weekly_schedule_in_the_calendars(demo_server):
    """The invitation shows in the invitee's calendar; the office submits
    the leader's weekly schedule, the leader approves and publishes it on
    a phone and it shows in the agency's schedule calendar"""
    import datetime as dt

    server = demo_server
    clerk = server.login('vt.stttt', DEMO_PASSWORD)
    context = server.rpc('model.res.user.get_preferences', [True, {}], clerk)
    leader = employee_of(server, server.login('ld.stttt', DEMO_PASSWORD))
    officer = employee_of(server, server.login('cv.stttt', DEMO_PASSWORD))
    today = dt.date.today()
    # 02:00 UTC is 09:00 in Hà Nội: the same day on both sides
    at = dt.datetime.combine(today, dt.time(2, 0))
    server.rpc('model.mvp.meeting.create', [[{
                    'subject': "Họp giao ban chuyển đổi số tháng 12",
                    'start': rpc_datetime(at),
                    'end': rpc_datetime(at + dt.timedelta(hours=2)),
                    'place': "Phòng họp tầng 2",
                    'chair': leader['id'],
                    'participants': [('add', [officer['id']])],
                    }], context], clerk)
    monday = today - dt.timedelta(days=today.weekday())
    schedule, = server.rpc('model.mvp.work.schedule.create', [[{
                    'week': {'__class__': 'date', 'year': monday.year,
                        'month': monday.month, 'day': monday.day},
                    'items': [('create', [{
                                    'start': rpc_datetime(
                                        at + dt.timedelta(hours=4)),
                                    'end': rpc_datetime(
                                        at + dt.timedelta(hours=6)),
                                    'leader': leader['id'],
                                    'subject': "Làm việc với UBND huyện "
                                    "Vũ Thư về chính quyền số",
                                    'place': "UBND huyện Vũ Thư",
                                    }])],
                    }], context], clerk)

    with web_client(server, 1280, 800) as login:
        form = login.log_in('vt.stttt').open_record(
            'mvp.work.schedule', schedule)
        form.click("Trình duyệt")
        assert wait_for_value(server, clerk, 'mvp.work.schedule', schedule,
            'state', 'submitted')

    director = server.login('ld.stttt', DEMO_PASSWORD)
    with web_client(server, 390, 844) as login:
        client = login.log_in('ld.stttt')
        form = client.open_record('mvp.work.schedule', schedule)
        form.click("Phê duyệt")
        assert wait_for_value(server, director, 'mvp.work.schedule',
            schedule, 'state', 'approved')
        client.pause(1000)
        form.click("Ban hành", screenshot_as='leader-schedule-publish-390.png')
        assert wait_for_value(server, director, 'mvp.work.schedule',
            schedule, 'state', 'published')

    with web_client(server, 1280, 800) as login:
        client = login.log_in('cv.stttt')
        client.open_menu("Văn phòng điện tử", "Lịch họp", "Lịch họp của tôi")
        client.wait_for_text("Họp giao ban chuyển đổi số tháng 12")
        client.screenshot('officer-meetings-1280.png')
        client.open_menu("Lịch công tác", "Lịch công tác (dạng lịch)")
        client.wait_for_text("Làm việc với UBND huyện Vũ Thư")
        client.screenshot('officer-schedule-1280.png')


def audit_events(server, login):
    "The audit trail's events of login, oldest first (read as root)"
    import sqlite3
    with sqlite3.connect(server.database_file) as db:
        return [r[0] for r in db.execute('SELECT event FROM '
                'mvp_security_audit WHERE login = ? ORDER BY id', (login,))]


@needs_browser
def test_second_factor_enrolled_at_sign_in_then_idle_logout(
        second_factor_server):
    """An officer signing in from outside the provincial network for the
    first time adds the key the client shows to an authenticator app and
    types its code; left idle longer than the timeout, the session ends
    on the server and the client asks to sign in again"""
    import pyotp

    from .conftest import SECOND_FACTOR_IDLE
    server = second_factor_server

    def code_for(question):
        key = re.search(r'mã khóa ((?:[A-Z2-7]{4} ?)+)', question).group(1)
        return pyotp.TOTP(key.replace(' ', '')).now()
    with web_client(server, 1280, 800) as login_page:
        client, question = login_page.log_in_with_second_factor(
            'cv.stttt', code_for)
        assert "Tài khoản này cần xác thực hai lớp" in question
        client.screenshot('second-factor-enrolled.png')
        assert audit_events(server, 'cv.stttt')[-2:] == [
            'totp_enrol', 'login']
        client.pause((SECOND_FACTOR_IDLE + 5) * 1000)
        client.main_menu.click()
        login_page.page.wait_for_selector('input[type=password]:visible',
            timeout=60000)
        client.screenshot('idle-logout.png')
    assert 'timeout' in audit_events(server, 'cv.stttt')
