"""The certificate pages in Chromium, checked with axe-core against WCAG 2.2 AA.

The browser's requests are answered by the Flask test client (Playwright request routing), so each page is rendered
inside the test's transaction with this folder's fixtures (a real certificate to verify). Skipped where Chromium is
not installed (CI installs it).
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.test_accessibility import axe_violations

BASE = "https://portal.test"


@pytest.fixture
def tab(browser: Any, client: Any) -> Iterator[Any]:
    """A page of the run's shared Chromium (``tests/browser_fixtures.py``) whose every request is answered by the
    test client (which keeps the signed-in session)."""
    context = browser.new_context()
    page = context.new_page()

    def serve(route: Any, request: Any) -> None:
        url = urlsplit(request.url)
        headers = {k: v for k, v in request.headers.items() if k.lower() in {"content-type", "accept"}}
        response = client.open(url.path, method=request.method, query_string=url.query, headers=headers,
                               input_stream=io.BytesIO(request.post_data_buffer or b""),
                               content_length=len(request.post_data_buffer or b""))
        route.fulfill(status=response.status_code, headers=dict(response.headers), body=response.get_data())

    page.route("**/*", serve)
    yield page
    context.close()


def submit(page: Any, button: str, **options: Any) -> None:
    """Press a form's button and wait for the page it leads to (reading the page earlier races the navigation)."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, **options).click()


def visit(page: Any, path: str) -> None:
    page.goto(BASE + path)
    assert page.locator("h1").count() == 1, path
    assert axe_violations(page) == [], path


def test_public_verification_pages_pass_axe(tab, certificate):
    from portal.certificates.codes import generate_code

    for path in ("/verify", f"/verify/{certificate.code}", f"/verify/{generate_code()}", "/verify/EPP-0000"):
        visit(tab, path)
    tab.goto(f"{BASE}/verify")
    tab.get_by_label("Certificate code").fill("EPP-7KQ0")
    submit(tab, "Check certificate")
    assert tab.title().startswith("Error: ")
    assert axe_violations(tab) == []
    tab.goto(f"{BASE}/verify")
    tab.get_by_label("Paste the credential").fill("not-a-credential")
    submit(tab, "Check credential")
    assert "This credential is not valid" in tab.content()
    assert axe_violations(tab) == []


def test_holder_pages_pass_axe(tab, sign_in_as, people, certificate):
    sign_in_as(people["holder"])
    visit(tab, "/certificates")
    visit(tab, f"/certificates/{certificate.id}")


def test_admin_and_employer_pages_pass_axe(tab, sign_in_as, people, certificate):
    sign_in_as(people["prog"])
    visit(tab, "/admin/certificates")
    visit(tab, f"/certificates/{certificate.id}")
    visit(tab, f"/certificates/{certificate.id}/suspend")
    submit(tab, "Suspend certificate")  # no reason given
    assert tab.title().startswith("Error: ") and axe_violations(tab) == []
    sign_in_as(people["north_admin"])
    visit(tab, "/checks")
    tab.get_by_label("Social Work England registration number").fill("SW123456")
    submit(tab, "Check", exact=True)
    assert "Siân Llŷr" in tab.content() and axe_violations(tab) == []
    visit(tab, "/checks/bulk")
    visit(tab, f"/admin/organisations/{people['north'].id}/api-tokens")
    tab.get_by_label("Name").fill("HR system")
    submit(tab, "Create token")
    assert "API token created" in tab.content() and axe_violations(tab) == []
