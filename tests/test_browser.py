# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo as a person meets it: logins, role menus, Vietnamese web client.

Runs a real trytond with the demo data and drives headless Chromium.
"""
import base64
import contextlib
import shutil
import time
import urllib.error

import pytest

from scripts.demo_data import DEMO_PASSWORD

from .conftest import OUTPUT, ROOT

pytestmark = pytest.mark.once  # independent of the database backend

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync']


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


def needs_browser(test):
    test = pytest.mark.skipif(not CHROMIUM,
        reason="chromium is not installed")(test)
    return pytest.mark.skipif(
        not (ROOT / 'var' / 'www' / 'locale' / 'vi.json').exists(),
        reason="the web root is not built (make webroot)")(test)


@contextlib.contextmanager
def browser_page(width, height):
    playwright = pytest.importorskip('playwright.sync_api')
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
            args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(
                viewport={'width': width, 'height': height})
        finally:
            browser.close()


def log_in(page, server, login, screenshot=None):
    """Log in through the login dialog (saved as screenshot if given);
    return the main menu entry"""
    page.goto(server.url + '/')
    page.wait_for_selector('input#login', timeout=60000)
    assert "Đăng nhập" in page.inner_text('.login-dialog')
    if screenshot:
        page.screenshot(path=str(OUTPUT / screenshot))
    if page.locator('select#database').is_visible():
        page.select_option('select#database', server.database)
    page.fill('input#login', login)
    page.click('.login-dialog button[type=submit]')
    page.wait_for_selector('input[type=password]', timeout=60000)
    page.fill('input[type=password]', DEMO_PASSWORD)
    page.keyboard.press('Enter')
    menu = page.locator('div.column-char[title="Văn phòng điện tử"]').first
    menu.wait_for(state='visible', timeout=60000)
    return menu


@needs_browser
@pytest.mark.parametrize('width,height', [(1280, 800), (390, 844)])
def test_clerk_logs_in_and_sees_vietnamese_menu(demo_server, width, height):
    "A clerk logs in through the web client at desktop and phone size"
    with browser_page(width, height) as page:
        menu = log_in(page, demo_server, 'vt.stttt',
            screenshot='login-%s.png' % width)
        page.screenshot(path=str(OUTPUT / ('clerk-menu-%s.png' % width)))
        # the status bar names the agency the clerk works in
        if width >= 768:
            assert "Sở Thông tin và Truyền thông" in page.inner_text('body')
        menu.click()  # expand: the directory is in Vietnamese
        page.locator('div.column-char[title="Danh bạ"]').first.wait_for(
            state='visible', timeout=30000)


def submitted_drafts(server, session):
    return server.rpc('model.mvp.outgoing.search_read',
        [[('state', '=', 'submitted')], 0, None, [('id', 'ASC')],
            ['subject'], {}], session)


def open_record(page, server, model, record_id):
    "Follow a link to the record, as from a notification on the phone"
    page.evaluate('url => { window.location.hash = url; }',
        '%s/model/%s/%s' % (server.database, model, record_id))


@needs_browser
def test_leader_approves_and_returns_drafts_on_a_phone(demo_server):
    "At 390x844 the leader approves one draft and returns another"
    session = demo_server.login('ld.stttt', DEMO_PASSWORD)
    to_approve, to_return = submitted_drafts(demo_server, session)[:2]
    with browser_page(390, 844) as page:
        log_in(page, demo_server, 'ld.stttt')

        open_record(page, demo_server, 'mvp.outgoing', to_approve['id'])
        approve = page.locator('button:visible', has_text="Duyệt").first
        approve.wait_for(state='visible', timeout=60000)
        page.screenshot(path=str(OUTPUT / 'leader-approve-390.png'))
        approve.click()
        assert wait_for_state(demo_server, session, to_approve['id'],
            'approved')

        open_record(page, demo_server, 'mvp.outgoing', to_return['id'])
        send_back = page.locator('button:visible', has_text="Trả lại").first
        send_back.wait_for(state='visible', timeout=60000)
        send_back.click()
        dialog = page.locator('.modal-dialog:visible').last
        dialog.locator('textarea').wait_for(state='visible', timeout=30000)
        dialog.locator('textarea').fill("Bổ sung số liệu quý IV")
        page.screenshot(path=str(OUTPUT / 'leader-return-390.png'))
        dialog.locator('.modal-footer button', has_text="Trả lại").click()
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
    with browser_page(1280, 800) as page:
        log_in(page, demo_server, 'cv.stttt')
        open_record(page, demo_server, 'mvp.outgoing', draft['id'])
        sign = page.locator('button:visible', has_text="Ký số").first
        sign.wait_for(state='visible', timeout=60000)
        sign.click()
        dialog = page.locator('.modal-dialog:visible').last
        passphrase = dialog.locator('input[name=passphrase]')
        passphrase.wait_for(state='visible', timeout=30000)
        passphrase.fill(pki_module.PASSPHRASE)
        page.screenshot(path=str(OUTPUT / 'drafter-sign-1280.png'))
        dialog.locator('.modal-footer button', has_text="Ký số").click()
        assert wait_for(lambda: signed_files(demo_server, session,
                draft['id']))
    signed, = signed_files(demo_server, session, draft['id'])
    assert "Nguyễn Văn An" in signed['signature_signer']


def signed_files(server, session, outgoing_id):
    return server.rpc('model.mvp.document.file.search_read', [[
                ('resource', '=', 'mvp.outgoing,%s' % outgoing_id),
                ('signature_count', '>', 0)],
            0, None, None, ['signature_signer'], {}], session)


def wait_for(predicate, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


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


def wait_for_value(server, session, model, record_id, name, value):
    return wait_for(lambda: read(
            server, session, model, record_id, [name])[name] == value)


def fill_and_leave(page, field, text):
    """Fill the field and leave it, pausing as a person does before
    reaching for a button: sao redraws the form when a field is left and
    a click in that instant reads the selection widgets half-drawn
    (their first option, e.g. the role "lead")."""
    field.fill(text)
    field.blur()
    page.wait_for_timeout(500)


def click_button(page, text, screenshot=None):
    "Click the visible button of the opened record labelled text"
    button = page.locator('button:visible', has_text=text).first
    button.wait_for(state='visible', timeout=60000)
    if screenshot:
        page.screenshot(path=str(OUTPUT / screenshot))
    button.click()


def own_assignment(server, session, incoming_id):
    "The assignment of the incoming document made to the session's user"
    employee = employee_of(server, session)
    assignment, = server.rpc('model.mvp.assignment.search_read', [[
                ('incoming', '=', incoming_id),
                ('employee', '=', employee['id'])],
            0, None, None, ['state'], {}], session)
    return assignment


def officer_finishes(page, server, login, incoming_id, result):
    "The officer opens the assignment, starts it if needed and finishes"
    session = server.login(login, DEMO_PASSWORD)
    assignment = own_assignment(server, session, incoming_id)
    log_in(page, server, login)
    open_record(page, server, 'mvp.assignment', assignment['id'])
    page.locator('textarea[name=result]').wait_for(
        state='visible', timeout=60000)
    if assignment['state'] == 'assigned':
        click_button(page, "Bắt đầu xử lý")
        assert wait_for_value(server, session, 'mvp.assignment',
            assignment['id'], 'state', 'in_progress')
    fill_and_leave(page, page.locator('textarea[name=result]'), result)
    click_button(page, "Hoàn thành",
        screenshot='officer-finish-%s.png' % login.split('.')[0])
    assert wait_for_value(server, session, 'mvp.assignment',
        assignment['id'], 'state', 'done')


@needs_browser
def test_incoming_from_scan_to_processed_in_the_web_client(demo_server):
    """A clerk registers a scan, the leader assigns it on a phone, the
    department head hands it to an officer, two officers finish it"""
    scan_tools = pytest.importorskip(
        'trytond.modules.mvp_documents.tests.scan_tools')
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

    with browser_page(1280, 800) as page:
        log_in(page, server, 'vt.stttt')
        open_record(page, server, 'mvp.incoming', incoming_id)
        subject = page.locator('input[name=subject]')
        subject.wait_for(state='visible', timeout=60000)
        fill_and_leave(page, subject, "Về việc hỗ trợ kinh phí chuyển đổi số")
        click_button(page, "Vào sổ")
        assert wait_for_value(server, clerk, 'mvp.incoming', incoming_id,
            'state', 'registered')
        click_button(page, "Trình", screenshot='clerk-submit-1280.png')
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
    with browser_page(390, 844) as page:
        log_in(page, server, 'ld.stttt')
        open_record(page, server, 'mvp.incoming', incoming_id)
        click_button(page, "Phân công", screenshot='leader-assign-390.png')
        assert wait_for_value(server, director, 'mvp.incoming', incoming_id,
            'state', 'assigned')

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
    with browser_page(1280, 800) as page:
        log_in(page, server, 'tp.stttt')
        open_record(page, server, 'mvp.assignment', part['id'])
        click_button(page, "Giao trong phòng")
        assert wait_for_value(server, chief, 'mvp.assignment', part['id'],
            'state', 'in_progress')

    for login, result in [
            ('cv2.stttt', "Đã cho ý kiến phối hợp"),
            ('cv.stttt', "Đã dự thảo công văn trả lời")]:
        with browser_page(1280, 800) as page:
            officer_finishes(page, server, login, incoming_id, result)

    assert wait_for_value(server, clerk, 'mvp.incoming', incoming_id,
        'state', 'processed')
    events = server.rpc('model.mvp.incoming.event.search_read', [[
                ('incoming', '=', incoming_id), ('code', '!=', None)],
            0, None, [('date', 'ASC'), ('id', 'ASC')], ['code'], {}], clerk)
    codes = [e['code'] for e in events]
    assert codes[0] == '03' and codes[-1] == '06', codes
    assert '04' in codes and '05' in codes, codes
