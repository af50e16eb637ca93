# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Page objects of the web client (sao) for the browser stories.

Each class is one kind of screen a person meets: the login dialog, the
main window with its menu, the form of a record, a dialog of a button or
an action, a list of related records.  The stories in test_browser.py
speak their language ("open the record", "click Duyệt", "fill the
reason") and never name a CSS selector; what sao needs to be driven
(waits, pauses while a form redraws) is written here once.
"""
import contextlib
import re
import shutil
import time

import pytest

from scripts.demo_data import DEMO_PASSWORD

from .conftest import OUTPUT, ROOT

__all__ = ['needs_browser', 'web_client', 'wait_for', 'LoginPage',
    'WebClient', 'RecordForm', 'Dialog', 'RelatedList']

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync']
# sao loads its first screen and a record's form in a few seconds on a
# quiet machine; the suite shares two cores between several runs
LOAD = 60000
SHOW = 30000


def needs_browser(test):
    "Skip the story without Chromium or without the built web root"
    test = pytest.mark.skipif(not CHROMIUM,
        reason="chromium is not installed")(test)
    return pytest.mark.skipif(
        not (ROOT / 'var' / 'www' / 'locale' / 'vi.json').exists(),
        reason="the web root is not built (make webroot)")(test)


def wait_for(predicate, timeout=LOAD / 1000):
    """Whether predicate() becomes true within timeout seconds (as long
    as a page may take to load: on a loaded machine a click's answer
    took longer than 30 s)"""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def whole_label(text):
    # whole label: "Nộp lưu" must not find "Thêm hồ sơ đến hạn nộp lưu"
    return re.compile(r'^\s*%s\s*$' % re.escape(text))


def click_shown(locator, timeout=LOAD):
    """Click the first visible element of locator (a locator filtered on
    :visible).  sao hides a tab's form when another tab opens and redraws
    a form after a change: the element found a moment ago may be hidden
    when the click comes, so it is found again until the click lands."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    deadline = time.time() + timeout / 1000
    while True:
        try:
            locator.first.click(timeout=5000)
            return
        except PlaywrightTimeout:
            if time.time() > deadline:
                raise


def screenshot(page, name):
    "Save what the browser shows as name in the test output"
    if name:
        page.screenshot(path=str(OUTPUT / name))


@contextlib.contextmanager
def web_client(server, width, height):
    """A headless Chromium window of width x height on the server's web
    client; yields its LoginPage"""
    playwright = pytest.importorskip('playwright.sync_api')
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
            args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={'width': width, 'height': height})
        try:
            yield LoginPage(page, server)
        except Exception:
            # what the browser showed when the test failed
            screenshot(page, 'failure.png')
            raise
        finally:
            browser.close()


class LoginPage:
    "The login dialog of the web client"

    def __init__(self, page, server):
        self.page, self.server = page, server

    def log_in(self, login, password=DEMO_PASSWORD, screenshot_as=None):
        """Log in as login (the dialog saved as screenshot_as if given);
        return the main window once its menu shows"""
        page = self.page
        page.goto(self.server.url + '/')
        page.wait_for_selector('input#login', timeout=LOAD)
        assert "Đăng nhập" in page.inner_text('.login-dialog')
        screenshot(page, screenshot_as)
        if page.locator('select#database').is_visible():
            page.select_option('select#database', self.server.database)
        page.fill('input#login', login)
        page.click('.login-dialog button[type=submit]')
        page.wait_for_selector('input[type=password]', timeout=LOAD)
        page.fill('input[type=password]', password)
        page.keyboard.press('Enter')
        client = WebClient(page, self.server)
        client.main_menu.wait_for(state='visible', timeout=LOAD)
        return client

    def log_in_with_second_factor(self, login, code_for,
            password=DEMO_PASSWORD):
        """Log in as login when the server asks for a second factor:
        code_for(question) gives the code to type for the question the
        client shows; return the main window and the question"""
        page = self.page
        page.goto(self.server.url + '/')
        page.wait_for_selector('input#login', timeout=LOAD)
        if page.locator('select#database').is_visible():
            page.select_option('select#database', self.server.database)
        page.fill('input#login', login)
        page.click('.login-dialog button[type=submit]')
        page.wait_for_selector('input[type=password]', timeout=LOAD)
        page.fill('input[type=password]', password)
        page.keyboard.press('Enter')
        dialog = page.locator('.modal-dialog:visible', has_text="mã")
        dialog.wait_for(state='visible', timeout=LOAD)
        question = dialog.inner_text()
        dialog.locator('input').first.fill(code_for(question))
        page.keyboard.press('Enter')
        client = WebClient(page, self.server)
        client.main_menu.wait_for(state='visible', timeout=LOAD)
        return client, question


class WebClient:
    "The main window after login: the menu, the tabs, the status bar"

    def __init__(self, page, server):
        self.page, self.server = page, server

    @property
    def main_menu(self):
        "The top entry of the menu"
        return self.menu_entry("Văn phòng điện tử").first

    def menu_entry(self, name):
        return self.page.locator('div.column-char[title="%s"]:visible' % name)

    def text(self):
        "All the text the window shows"
        return self.page.inner_text('body')

    def screenshot(self, name):
        screenshot(self.page, name)

    def expand_main_menu(self):
        "Open the top entry of the menu and wait for its first entry"
        self.main_menu.click()
        self.page.locator('div.column-char[title="Danh bạ"]').first.wait_for(
            state='visible', timeout=SHOW)

    def open_menu(self, *path):
        "Follow the menu down path; the last entry opens its view"
        for name in path:
            entry = self.menu_entry(name)
            entry.first.wait_for(state='visible', timeout=SHOW)
            click_shown(entry, timeout=SHOW)

    def open_record(self, model, record_id):
        "Follow a link to the record, as from a notification on the phone"
        self.page.evaluate('url => { window.location.hash = url; }',
            '%s/model/%s/%s' % (self.server.database, model, record_id))
        return RecordForm(self)

    def wait_for_text(self, text, timeout=SHOW):
        """Wait until text (a string or a pattern) shows somewhere in the
        window, e.g. in a new tab's title or a calendar"""
        self.page.get_by_text(text).first.wait_for(
            state='visible', timeout=timeout)

    def wait_for_cell(self, text, timeout=SHOW):
        "Wait until a list shows a cell with text"
        self.page.locator('td', has_text=text).first.wait_for(
            state='visible', timeout=timeout)

    def pause(self, milliseconds):
        """Pause as a person does: sao redraws a form after a change, and
        an action in that instant meets it half-drawn"""
        self.page.wait_for_timeout(milliseconds)


class RecordForm:
    "The form of one record in the active tab"

    def __init__(self, client):
        self.client, self.page = client, client.page

    def field(self, name):
        return self.page.locator('[name=%s]:visible' % name).first

    def wait_for_field(self, name, timeout=LOAD):
        "Wait until the form shows the field name (the form is loaded)"
        self.field(name).wait_for(state='visible', timeout=timeout)
        return self

    def fill(self, name, text):
        """Fill the field and leave it, pausing as a person does before
        reaching for a button: sao redraws the form when a field is left
        and a click in that instant reads the selection widgets half-drawn
        (their first option, e.g. the role "lead")."""
        field = self.field(name)
        field.wait_for(state='visible', timeout=LOAD)
        field.fill(text)
        field.blur()
        self.page.wait_for_timeout(500)

    def click(self, label, screenshot_as=None):
        "Click the visible button labelled label (its whole label)"
        button = self.page.locator(
            'button:visible', has_text=whole_label(label))
        button.first.wait_for(state='visible', timeout=LOAD)
        screenshot(self.page, screenshot_as)
        click_shown(button)

    def click_until(self, label, done, screenshot_as=None, wait=30):
        """Click the button labelled label until done() holds (a server
        state), at most as long as a page may take to load.  On a busy
        machine a click can land on a button sao is redrawing and be
        lost without an error (once in a CI run, the leader's "Phân
        công"); a person clicks again, and so does this.  A second click
        of a transition already made is refused by the server's states
        and sao shows the refusal: use it for a form's last click."""
        deadline = time.time() + LOAD / 1000
        self.click(label, screenshot_as=screenshot_as)
        while not wait_for(done, timeout=wait):
            if time.time() > deadline:
                return False
            button = self.page.locator(
                'button:visible', has_text=whole_label(label))
            if button.count():
                click_shown(button)
        return True

    def click_for_dialog(self, label, screenshot_as=None):
        "Click the button labelled label and return the dialog it opens"
        self.click(label, screenshot_as=screenshot_as)
        return Dialog(self.page, self.page.locator('.modal-dialog:visible')
            .last)

    def confirm(self, label, question, answer, screenshot_as=None):
        """Click the button labelled label and answer its question (a
        piece of the confirmation's text) with the button answer"""
        self.click(label)
        dialog = Dialog(self.page, self.page.locator(
                '.modal-dialog:visible', has_text=question))
        dialog.wait()
        screenshot(self.page, screenshot_as)
        dialog.press(answer)

    def dialog_with(self, selector):
        "The open dialog that holds the field found by selector"
        return Dialog(self.page, self.page.locator('.modal-dialog:visible',
                has=self.page.locator(selector)))

    def launch_action(self, name):
        "Run the action called name from the record's action menu"
        button = self.page.locator(
            'button[title="Thực hiện thao tác"]:visible')
        menu = self.page.locator('.dropdown-menu:visible')
        item = menu.get_by_text(name).first
        # the menu fills once the form's toolbar is loaded: a menu opened
        # before shows without the entry, so close it and open it again
        # until the entry shows
        deadline = time.time() + 2 * LOAD / 1000
        while True:
            if not menu.count():
                click_shown(button)
            if wait_for(item.is_visible, timeout=3):
                break
            if time.time() > deadline:
                break
            if menu.count():
                click_shown(button)
        item.click()

    def reload(self):
        "Reload the record (another tab or user changed it)"
        click_shown(self.page.locator(
                '.tab-pane.active button[id=reload]:visible'))

    def related(self, label, title):
        """Open the related records of the button labelled label; they
        open in a tab of their own called title"""
        self.click(label)
        self.client.wait_for_text(title)
        return RelatedList(self.client)


class Dialog:
    "A dialog opened by a button or an action, with its footer buttons"

    def __init__(self, page, locator):
        self.page, self.locator = page, locator

    def wait(self):
        self.locator.wait_for(state='visible', timeout=SHOW)
        return self

    def field(self, selector):
        return self.locator.locator(selector)

    def fill(self, selector, text):
        "Fill the field of the dialog found by selector once it shows"
        field = self.field(selector)
        field.wait_for(state='visible', timeout=SHOW)
        field.fill(text)

    def choose(self, selector, text):
        "Pick in the record field the record found by text"
        entry = self.field(selector)
        entry.wait_for(state='visible', timeout=SHOW)
        choose(self.page, entry, text)
        assert wait_for(lambda: text in entry.input_value())

    def press(self, label):
        "Press the footer button labelled label"
        self.locator.locator('.modal-footer button', has_text=label).click()

    def wait_closed(self):
        self.locator.wait_for(state='hidden', timeout=SHOW)


def choose(page, entry, text):
    """Type text in the record field entry and pick the record the
    completion offers"""
    entry.fill(text)
    offer = page.locator(
        '.dropdown-completion:visible li:not(.dropdown-header)',
        has_text=text).first
    offer.wait_for(state='visible', timeout=SHOW)
    offer.click()
    assert wait_for(lambda: entry.input_value() != text)


class RelatedList:
    "An editable list of related records in the active tab"

    def __init__(self, client):
        self.client, self.page = client, client.page

    def add_reference(self, column, model, text):
        """Add a row whose reference column points to the record of model
        found by text, and save"""
        page = self.page
        click_shown(page.locator('.tab-pane.active button[id=new_]:visible'))
        # the new row is the selected one: click its cell to edit it
        row = page.locator('tbody tr:has(input:checked):visible').first
        row.wait_for(state='visible', timeout=SHOW)
        header = page.locator('th:visible', has_text=whole_label(column))
        box, line = header.first.bounding_box(), row.bounding_box()
        page.mouse.click(box['x'] + box['width'] / 2,
            line['y'] + line['height'] / 2)
        cell = page.locator('.editabletree-reference:visible').first
        cell.locator('select').wait_for(state='visible', timeout=SHOW)
        values = cell.locator('select option').evaluate_all(
            'options => options.map(o => o.value)')
        cell.locator('select').select_option(
            value=[v for v in values if model in v][0])
        choose(page, cell.locator('input[name=document]'), text)
        page.wait_for_timeout(500)
        click_shown(page.locator('.tab-pane.active button[id=save]:visible'))
