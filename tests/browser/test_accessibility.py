"""Every page of the foundation, in Chromium, checked with axe-core against WCAG 2.2 AA; sign-in by keyboard."""
from __future__ import annotations

from urllib.parse import urlsplit

import pyotp
import pytest

from portal.users.seeding import DEMO_PASSWORD, demo_totp_secret

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
            for v in results.response["violations"]]


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    if "/security-code" in page.url:
        page.get_by_label("Security code").fill(pyotp.TOTP(demo_totp_secret(email)).now())
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state("load")
    assert "/sign-in" not in page.url, page.content()[:2000]


def check(page, url: str) -> None:
    page.goto(url)
    assert page.locator("h1").count() == 1, url
    violations = axe_violations(page)
    assert violations == [], f"{url}: {violations}"


PUBLIC = ["/", "/sign-in", "/forgot-password", "/accessibility", "/privacy", "/cookies", "/no-such-page",
          "/invitation/not-a-real-token"]


def test_public_pages_pass_axe(live_server, browser_page):
    for path in PUBLIC:
        check(browser_page, live_server + path)


def test_sign_in_errors_pass_axe(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server}/sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")  # the title arrives before the body on a busy machine
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").is_visible()
    assert axe_violations(page) == []


def test_admin_pages_pass_axe(live_server, browser_page):
    page = browser_page
    sign_in(page, live_server, "programme.admin@pathway.example")
    check(page, f"{live_server}/")
    check(page, f"{live_server}/account")
    check(page, f"{live_server}/admin/organisations")
    check(page, f"{live_server}/admin/organisations/new")
    check(page, f"{live_server}/admin/people")
    check(page, f"{live_server}/admin/people/invite")
    page.goto(f"{live_server}/admin/people?q=practitioner")
    page.locator("tbody a").first.click()
    page.wait_for_load_state("load")
    person_url = page.url
    check(page, person_url)
    for suffix in ("/edit", "/roles/new", "/disable"):
        check(page, person_url + suffix)
    page.goto(f"{live_server}/admin/organisations")
    page.locator("tbody a").first.click()
    page.wait_for_load_state("load")
    check(page, page.url)
    # a form with errors
    page.goto(f"{live_server}/admin/organisations/new")
    page.get_by_role("button", name="Create organisation").click()
    page.wait_for_load_state("load")
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []


def test_practitioner_account_pages_pass_axe(live_server, browser_page):
    page = browser_page
    sign_in(page, live_server, "practitioner@northshire.example")
    for path in ("/", "/account", "/account/password", "/account/two-factor", "/account/sessions"):
        check(page, live_server + path)


def test_sign_in_with_the_keyboard_only(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server}/sign-in")
    page.keyboard.press("Tab")  # skip link first
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip to main content" in focused
    page.keyboard.press("Enter")
    # tab until the e-mail field has focus
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    else:
        pytest.fail("the email field is not reachable with Tab")
    page.keyboard.type("supervisor@northshire.example")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")  # the skip link's #main-content may stay
    assert "Olusegun Adeyemi" in page.locator("body").inner_text()
