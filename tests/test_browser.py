# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo as a person meets it: logins, role menus, Vietnamese web client.

Runs a real trytond with the demo data and drives headless Chromium.
"""
import base64
import contextlib
import re
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
        page = browser.new_page(viewport={'width': width, 'height': height})
        try:
            yield page
        except Exception:
            # what the browser showed when the test failed
            page.screenshot(path=str(OUTPUT / 'failure.png'))
            raise
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
    # whole label: "Nộp lưu" must not find "Thêm hồ sơ đến hạn nộp lưu"
    label = re.compile(r'^\s*%s\s*$' % re.escape(text))
    button = page.locator('button:visible', has_text=label).first
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


def launch_action(page, name):
    "Run the action called name from the record's action menu"
    button = page.locator('button[title="Thực hiện thao tác"]:visible').first
    item = page.locator('.dropdown-menu:visible').get_by_text(name).first
    # the menu fills once the form's toolbar is loaded: open it until the
    # entry shows
    for _ in range(20):
        if not item.is_visible():
            button.click()
        if wait_for(item.is_visible, timeout=2):
            break
    item.click()


def choose(page, entry, text):
    """Type text in the record field entry and pick the record the
    completion offers"""
    entry.fill(text)
    offer = page.locator(
        '.dropdown-completion:visible li:not(.dropdown-header)',
        has_text=text).first
    offer.wait_for(state='visible', timeout=30000)
    offer.click()
    assert wait_for(lambda: entry.input_value() != text)


def link_to_dossier(page, server, model, record_id, dossier_code):
    "Open the record and add it to the dossier with the action menu"
    open_record(page, server, model, record_id)
    page.locator('[name=subject]:visible').first.wait_for(
        state='visible', timeout=60000)
    # let the form finish drawing: the client takes a half-drawn form
    # for a modified one and asks to save it first
    page.wait_for_timeout(1500)
    launch_action(page, "Đưa vào hồ sơ")
    dialog = page.locator('.modal-dialog:visible',
        has=page.locator('input[name=dossier]'))
    dossier = dialog.locator('input[name=dossier]')
    dossier.wait_for(state='visible', timeout=30000)
    choose(page, dossier, dossier_code)
    assert wait_for(lambda: dossier_code in dossier.input_value())
    dialog.locator('.modal-footer button', has_text="Đưa vào").click()
    dialog.wait_for(state='hidden', timeout=30000)


def file_note(page, text):
    "Add the note found by text as a new row of the opened document list"
    page.locator('.tab-pane.active button[id=new_]').first.click()
    # the new row is the selected one: click its document cell to edit it
    row = page.locator('tbody tr:has(input:checked):visible').first
    row.wait_for(state='visible', timeout=30000)
    header = page.locator(
        'th:visible', has_text=re.compile(r'^\s*Văn bản\s*$'))
    column, line = header.first.bounding_box(), row.bounding_box()
    page.mouse.click(column['x'] + column['width'] / 2,
        line['y'] + line['height'] / 2)
    cell = page.locator('.editabletree-reference:visible').first
    cell.locator('select').wait_for(state='visible', timeout=30000)
    values = cell.locator('select option').evaluate_all(
        'options => options.map(o => o.value)')
    cell.locator('select').select_option(
        value=[v for v in values if 'ir.note' in v][0])
    choose(page, cell.locator('input[name=document]'), text)
    page.wait_for_timeout(500)
    page.locator('.tab-pane.active button[id=save]').first.click()


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

    with browser_page(1280, 800) as page:
        log_in(page, server, 'cv.stttt')
        open_record(page, server, 'mvp.dossier.list.entry', entry['id'])
        click_button(page, "Mở hồ sơ")
        # the new dossier opens in a tab of its own
        page.locator('text=07.BCVT').first.wait_for(
            state='visible', timeout=60000)

        def opened():
            return server.rpc('model.mvp.dossier.search_read',
                [[('list_entry', '=', entry['id'])], 0, None, None,
                    ['id', 'state'], {}], officer_session)
        assert wait_for(opened)
        dossier, = opened()
        assert dossier['state'] == 'open'

        link_to_dossier(page, server, 'mvp.incoming', incoming['id'],
            '07.BCVT')
        link_to_dossier(page, server, 'mvp.outgoing', answer['id'],
            '07.BCVT')
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
        open_record(page, server, 'mvp.dossier', dossier['id'])
        click_button(page, "Văn bản")
        # the documents open in a tab of their own, two rows so far
        page.get_by_text("Văn bản của hồ sơ").first.wait_for(
            state='visible', timeout=30000)
        page.wait_for_timeout(1500)
        file_note(page, "Đề nghị hoàn thiện")
        assert wait_for(lambda: len(dossier_documents(
                    server, officer_session, dossier['id'])) == 3)
        assert dossier_documents(server, officer_session, dossier['id'])[
            2] == 'ir.note,%s' % note
        open_record(page, server, 'mvp.dossier', dossier['id'])
        # the dossier's tab was opened before the note was filed: reload
        page.locator('.tab-pane.active button[id=reload]').first.click()
        page.wait_for_timeout(1500)
        click_button(page, "Kết thúc hồ sơ")
        confirm = page.locator('.modal-dialog:visible', has_text="khóa hồ sơ")
        confirm.wait_for(state='visible', timeout=30000)
        page.screenshot(path=str(OUTPUT / 'officer-dossier-close-1280.png'))
        confirm.locator('.modal-footer button', has_text="Đồng ý").click()
        assert wait_for_value(server, officer_session, 'mvp.dossier',
            dossier['id'], 'state', 'closed')

    handover, = server.rpc('model.mvp.dossier.handover.create', [[{
                    'archivist': "Phạm Thị Dung"}], context], clerk)
    with browser_page(1280, 800) as page:
        log_in(page, server, 'vt.stttt')
        open_record(page, server, 'mvp.dossier.handover', handover)
        click_button(page, "Thêm hồ sơ đến hạn nộp lưu")
        assert wait_for_value(server, clerk, 'mvp.dossier', dossier['id'],
            'handover', handover)
        # the list shows the dossier once the form is reloaded
        page.locator('td', has_text='07.BCVT').first.wait_for(
            state='visible', timeout=30000)
        page.wait_for_timeout(1000)
        click_button(page, "Nộp lưu",
            screenshot='clerk-dossier-handover-1280.png')
        assert wait_for_value(server, clerk, 'mvp.dossier', dossier['id'],
            'state', 'handed_over')

    with browser_page(1280, 800) as page:
        log_in(page, server, 'cv.stttt')
        open_record(page, server, 'mvp.dossier', dossier['id'])
        click_button(page, "Kết xuất")

        def exported():
            return server.rpc('model.mvp.dossier.export.search_read',
                [[('dossier', '=', dossier['id'])], 0, None, None,
                    ['url', 'document_count'], {}], officer_session)
        assert wait_for(exported)
        # the export opens in its own tab, named by its ZIP file
        page.get_by_text(re.compile(r'07\.?BCVT\.zip')).first.wait_for(
            state='visible', timeout=30000)
        page.screenshot(path=str(OUTPUT / 'officer-dossier-export-1280.png'))
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


def open_menu(page, *path):
    "Follow the main menu down path; the last entry opens its view"
    for name in path:
        entry = page.locator('div.column-char[title="%s"]:visible' % name)
        entry.first.wait_for(state='visible', timeout=30000)
        entry.first.click()


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

    with browser_page(1280, 800) as page:
        log_in(page, server, 'vt.stttt')
        open_record(page, server, 'mvp.work.schedule', schedule)
        click_button(page, "Trình duyệt")
        assert wait_for_value(server, clerk, 'mvp.work.schedule', schedule,
            'state', 'submitted')

    director = server.login('ld.stttt', DEMO_PASSWORD)
    with browser_page(390, 844) as page:
        log_in(page, server, 'ld.stttt')
        open_record(page, server, 'mvp.work.schedule', schedule)
        click_button(page, "Phê duyệt")
        assert wait_for_value(server, director, 'mvp.work.schedule',
            schedule, 'state', 'approved')
        page.wait_for_timeout(1000)
        click_button(page, "Ban hành",
            screenshot='leader-schedule-publish-390.png')
        assert wait_for_value(server, director, 'mvp.work.schedule',
            schedule, 'state', 'published')

    with browser_page(1280, 800) as page:
        log_in(page, server, 'cv.stttt').click()
        open_menu(page, "Lịch họp", "Lịch họp của tôi")
        page.get_by_text("Họp giao ban chuyển đổi số tháng 12").first\
            .wait_for(state='visible', timeout=30000)
        page.screenshot(path=str(OUTPUT / 'officer-meetings-1280.png'))
        open_menu(page, "Lịch công tác", "Lịch công tác (dạng lịch)")
        page.get_by_text("Làm việc với UBND huyện Vũ Thư").first.wait_for(
            state='visible', timeout=30000)
        page.screenshot(path=str(OUTPUT / 'officer-schedule-1280.png'))
