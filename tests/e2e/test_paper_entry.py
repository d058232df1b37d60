"""End to end in a real browser: an operator types paper questionnaires with the keyboard only.

Same Chromium as the other e2e tests (/usr/bin/chromium, skipped only on a developer machine
without it), on a landscape tablet-sized screen as at a kelurahan counter.
"""

from contextlib import contextmanager

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from skm.engine import krejcie_morgan
from skm.surveys.models import Response
from skm.units.models import Period, Population
from skm.units.periods import period_containing
from tests.e2e.test_accessibility import violations
from tests.e2e.test_public_form_to_dashboard import (
    CHROMIUM,
    CHROMIUM_ARGS,
    log_in,
    require_chromium,
)
from tests.factories import PASSWORD, make_region, make_user

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"viewport": {"width": 1280, "height": 800}, "locale": "id-ID",
          "timezone_id": "Asia/Jakarta"}


@contextmanager
def desk_page(javascript=True):
    """A page in headless Chromium; touch the database only outside this block (see
    tests/e2e/test_public_form_to_dashboard.py: phone_page)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=javascript, **TABLET)
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def press(page, keys):
    for key in keys:
        page.keyboard.press(key)


def setup():
    region = make_region()
    make_user("operator-kaum", region.kelurahan, "operator")
    code = period_containing(timezone.localdate(), region.kelurahan.period_kind).code
    Population.objects.create(layanan=region.layanan[0], period=Period.get_or_create_code(code),
                              size=50)
    return region, code


def test_typing_two_questionnaires_with_the_keyboard_only(live_server):
    require_chromium()
    region, code = setup()
    minimum = krejcie_morgan(50)
    base = live_server.url

    with desk_page() as page:
        broken = []
        page.on("response",
                lambda r: broken.append(f"{r.status} {r.url}") if r.status >= 500 else 0)
        log_in(page, base, "operator-kaum", PASSWORD)
        page.goto(f"{base}/u/jatinegara-kaum/kertas/?layanan=pkk")
        expect(page.locator("#paper-count-number")).to_have_text("0")
        expect(page.locator("#paper-count")).to_contain_text(f"dari minimal {minimum}")
        expect(page.locator("#isian-U1")).to_be_focused()
        page.evaluate("window.samePage = true")  # gone if the page reloads

        # first form: U4 left blank on paper; L, 34 years, SMA (3), Swasta (4); Enter saves
        press(page, ["3", "4", "4", "0", "3", "4", "4", "4", "4"])
        expect(page.locator("#isian-jenis_kelamin")).to_be_focused()
        press(page, ["l", "3", "4", "3", "4"])
        expect(page.locator("#isian-saran")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#paper-count-number")).to_have_text("1")
        expect(page.locator("#paper-confirm")).to_contain_text("Tersimpan")
        expect(page.locator("#isian-U1")).to_be_focused()
        expect(page.locator("#isian-U1")).to_have_value("")
        assert page.evaluate("window.samePage") is True

        # second form: a typo fixed with Backspace; P, no age (Space), no pendidikan/pekerjaan
        press(page, ["1", "2", "Backspace", "3"])
        expect(page.locator("#isian-U2")).to_have_value("3")
        press(page, ["4"] * 7 + ["p", " ", "0", "-", "Enter"])
        expect(page.locator("#paper-count-number")).to_have_text("2")
        expect(page.locator("#paper-today tbody tr")).to_have_count(2)
        expect(page.locator("#isian-U1")).to_be_focused()

        # a digit that is no answer is ignored; Enter on a half-typed form: refused at U3
        press(page, ["4", "9", "4", "Enter"])
        expect(page.locator("#paper-errors")).to_contain_text("U3")
        expect(page.locator("#paper-count-number")).to_have_text("2")
        found = {"entry with errors": violations(page)}

        # correct the first entry: U1 3 -> 2, from its row in today's list
        page.locator("#paper-today tbody tr").last.get_by_role("link", name="Koreksi").click()
        expect(page.locator("#isian-U1")).to_have_value("3")
        found["correction"] = violations(page)
        expect(page.locator("#isian-U1")).to_be_focused()
        press(page, ["2", "Enter"])
        expect(page.locator("#paper-confirm")).to_contain_text("Koreksi respons nomor")
        expect(page.locator("#paper-count-number")).to_have_text("2")
        page.get_by_role("link", name="Riwayat koreksi hari ini di unit ini").click()
        expect(page.locator("#paper-history")).to_contain_text("U1: 3 → 2")
        found["history"] = violations(page)
        assert broken == []
    assert found == {name: [] for name in found}

    first, second = Response.objects.within([region.kelurahan]).order_by("pk")
    assert first.answers() == {"U1": 2, "U2": 4, "U3": 4, "U4": None, "U5": 3, "U6": 4,
                               "U7": 4, "U8": 4, "U9": 4}
    assert (first.gender, first.age, first.education, first.occupation) == (
        "L", 34, "SMA", "Swasta")
    assert (second.a1, second.a2, second.gender, second.age, second.education) == (
        1, 3, "P", None, "")
    assert {r.source for r in (first, second)} == {"paper"}
    assert {r.entered_by.username for r in (first, second)} == {"operator-kaum"}
    assert first.period.code == code
    assert [c.changes for c in first.corrections.all()] == [{"U1": [3, 2]}]


def test_without_javascript_the_plain_form_saves_one_response(live_server):
    require_chromium()
    region, _code = setup()
    base = live_server.url
    with desk_page(javascript=False) as page:
        log_in(page, base, "operator-kaum", PASSWORD)
        page.goto(f"{base}/u/jatinegara-kaum/kertas/?layanan=pkk")
        for n in range(1, 10):
            page.locator(f"#isian-U{n}").fill("-" if n == 9 else "4")
        page.locator("#isian-usia").fill("40")
        page.locator("#isian-usia").press("Enter")
        expect(page.locator("#paper-count-number")).to_have_text("1")
        expect(page.locator("#paper-confirm")).to_contain_text("Tersimpan")
    saved = Response.objects.within([region.kelurahan]).get()
    assert (saved.a1, saved.a9, saved.age, saved.source) == (4, None, 40, "paper")
