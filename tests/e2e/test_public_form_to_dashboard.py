"""End to end in a real browser: a citizen answers on a phone, the operator sees the count.

Drives Debian's Chromium (/usr/bin/chromium) with Playwright against pytest-django's live
server. Skipped only on a developer machine without Chromium; in CI (``CI`` set) a missing
browser is a failure: ``.ci/run`` installs it.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from skm.surveys.models import Response
from skm.units.periods import period_containing
from tests.factories import PASSWORD, make_region, make_user

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path("/tmp/e2e-form.png")  # the phone's screen, answers filled in
SCREENSHOT_FULL = Path("/tmp/e2e-form-full.png")  # the whole form
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "id-ID",
    "timezone_id": "Asia/Jakarta",
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
}
ANSWERS = {"U1": "3", "U2": "4", "U3": "4", "U4": "4", "U5": "3", "U6": "4", "U7": "4",
           "U8": "4", "U9": "4"}


def require_chromium():
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run should have installed chromium")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); not in CI, so skipped")


@contextmanager
def phone_page(**options):
    """A page in headless Chromium emulating a phone (``options`` go to the browser context,
    e.g. ``bypass_csp=True`` to inject a test script into a page under our CSP).

    Playwright's sync API runs an event loop in this thread, and Django's connections are
    per-context while a loop runs: touch the database only outside this block.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(**PHONE, **options)
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def click_label_of(page, selector):
    """Click the label of an input, as a thumb does; the input itself may be visually hidden."""
    wrapping = page.locator(f"label:has({selector})")
    if wrapping.count():
        label = wrapping.first
    else:
        input_id = page.locator(selector).get_attribute("id")
        assert input_id, f"{selector} has neither a wrapping label nor an id"
        label = page.locator(f'label[for="{input_id}"]')
    label.scroll_into_view_if_needed()
    label.click()


def test_phone_form_to_operator_dashboard(transactional_db, live_server):
    require_chromium()
    region = make_region()
    make_user("operator-kaum", region.kelurahan, "operator")
    period_code = period_containing(timezone.localdate(), region.kelurahan.period_kind).code
    base = live_server.url

    with phone_page() as page:
        fill_and_send(page, base)
        log_in(page, base, "operator-kaum", PASSWORD)
        page.goto(f"{base}/u/jatinegara-kaum/{period_code}/")
        expect(page.locator("#jumlah-responden")).to_have_text("1")

    stored = Response.objects.within([region.kelurahan]).get()
    assert (stored.layanan.slug, stored.period.code, stored.age) == ("pkk", period_code, 34)
    assert stored.answers() == {code: int(v) for code, v in ANSWERS.items()}


def fill_and_send(page, base):
    broken = []  # the page and every asset it loads (stylesheet, scripts) must arrive
    page.on("response", lambda r: broken.append(f"{r.status} {r.url}") if r.status >= 400 else 0)
    page.on("requestfailed", lambda r: broken.append(f"failed {r.url}"))
    page.goto(f"{base}/s/jatinegara-kaum/pkk/")
    page.wait_for_load_state("networkidle")
    assert broken == [], f"the phone form loaded with broken requests: {broken}"
    for name, value in ANSWERS.items():
        selector = f'input[type="radio"][name="{name}"][value="{value}"]'
        click_label_of(page, selector)
        expect(page.locator(selector)).to_be_checked()
    page.locator('[name="usia"]').fill("34")
    page.screenshot(path=str(SCREENSHOT_FULL), full_page=True)
    page.locator('[name="usia"]').scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT))
    page.get_by_role("button", name="Kirim").click()
    expect(page.locator("body")).to_contain_text("Terima kasih")


def log_in(page, base, username, password):
    page.goto(f"{base}/masuk/")
    page.locator('[name="username"]').fill(username)
    page.locator('[name="password"]').fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    assert "/masuk/" not in page.url, "login failed"
