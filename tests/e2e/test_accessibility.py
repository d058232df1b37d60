"""WCAG 2.1 A/AA: axe-core (vendored, tests/e2e/vendor) finds no violation on our pages.

The public form (empty, and with its error summary), the unit's layanan list, the login page
and the staff results page, rendered by real Chromium on a phone-sized screen.
Automated rules catch only part of WCAG; they keep what they can check from regressing.
"""

from pathlib import Path

import pytest

from tests.e2e.test_public_form_to_dashboard import phone_page, require_chromium
from tests.factories import PASSWORD, add_responses, make_region, make_user

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}

pytestmark = pytest.mark.django_db(transaction=True)


def violations(page):
    page.evaluate(AXE.read_text())  # not an inline <script>: our CSP forbids those
    result = page.evaluate("async (rules) => await axe.run(document, rules)", RULES)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
        for v in result["violations"]
    ]


def test_public_and_staff_pages_have_no_axe_violations(live_server):
    require_chromium()
    region = make_region()
    add_responses(region.layanan[0], region.period, [[4, 3, 4, 4, 3, 4, 4, 2, 4]] * 3)
    make_user("operator", region.kelurahan, "operator")
    base = live_server.url
    found = {}
    with phone_page() as page:
        page.goto(f"{base}/s/jatinegara-kaum/pkk/")
        found["form"] = violations(page)
        page.get_by_role("button", name="Kirim").click()
        page.wait_for_selector("[role=alert]")
        found["form with errors"] = violations(page)
        page.goto(f"{base}/s/jatinegara-kaum/")
        found["layanan list"] = violations(page)
        page.goto(f"{base}/masuk/")
        found["login"] = violations(page)
        page.fill("input[name=username]", "operator")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.goto(f"{base}/u/jatinegara-kaum/{region.period.code}/")
        page.wait_for_selector("#jumlah-responden")
        found["results"] = violations(page)
    assert found == {name: [] for name in found}
