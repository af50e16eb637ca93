# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo as a person meets it: logins, role menus, Vietnamese web client.

Runs a real trytond with the demo data and drives headless Chromium.
"""
import shutil
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


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")
@pytest.mark.skipif(not (ROOT / 'var' / 'www' / 'locale' / 'vi.json').exists(),
    reason="the web root is not built (make webroot)")
@pytest.mark.parametrize('width,height', [(1280, 800), (390, 844)])
def test_clerk_logs_in_and_sees_vietnamese_menu(demo_server, width, height):
    "A clerk logs in through the web client at desktop and phone size"
    playwright = pytest.importorskip('playwright.sync_api')
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
            args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={'width': width, 'height': height})
            page.goto(demo_server.url + '/')
            page.wait_for_selector('input#login', timeout=60000)
            assert "Đăng nhập" in page.inner_text('.login-dialog')
            page.screenshot(path=str(OUTPUT / ('login-%s.png' % width)))
            if page.locator('select#database').is_visible():
                page.select_option('select#database', demo_server.database)
            page.fill('input#login', 'vt.stttt')
            page.click('.login-dialog button[type=submit]')
            page.wait_for_selector('input[type=password]', timeout=60000)
            page.fill('input[type=password]', DEMO_PASSWORD)
            page.keyboard.press('Enter')
            menu = page.locator(
                'div.column-char[title="Văn phòng điện tử"]').first
            menu.wait_for(state='visible', timeout=60000)
            page.screenshot(path=str(OUTPUT / ('clerk-menu-%s.png' % width)))
            # the status bar names the agency the clerk works in
            if width >= 768:
                assert "Sở Thông tin và Truyền thông" in page.inner_text(
                    'body')
            menu.click()  # expand: the directory is in Vietnamese
            page.locator('div.column-char[title="Danh bạ"]').first.wait_for(
                state='visible', timeout=30000)
        finally:
            browser.close()
