"""The whole journey in Chromium, as each person in turn, on a server of its own: a new employer is set up and its
staff invited by e-mail, a practitioner builds Year 1 evidence (an upload, a redacted name, a supervisor's
verification and observation, external feedback), submits, is assessed, moderated and signed off, downloads the
certificate, whose QR code leads to the public check that says valid and, once the programme admin revokes it,
revoked. Every page is checked with axe-core (WCAG 2.2 AA); the submission is also made with the keyboard only.
The steps and helpers shared with the empty installation's journey are in tests/browser/journey.py."""
from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from portal import clock
from portal.users.seeding import DEMO_PASSWORD, demo_totp_secret
from tests.browser.journey import (
    Journey,
    People,
    Server,
    agree_to_submission,
    allocate_the_assessor,
    assess,
    choose_evidence_with_the_keyboard,
    draw_the_sample,
    enrol_the_practitioner,
    fill_date,
    invite,
    log_cpd,
    mark,
    moderate,
    redact_and_send,
    sign_off,
    start_year_one,
    submit_with_the_keyboard,
    verify_reflection,
    write_case_reflection,
)
from tests.browser_fixtures import (
    _free_port,
    follow_the_test_clock,
    require_chromium,
    running_server,
    server_database_url,
)
from tests.conftest import IS_POSTGRES, TEST_DATABASE_URL
from tests.pdf_images import qr_codes_in_pdf

SCHEMA = "journey_check"
PROGRAMME_ADMIN = "programme.admin@pathway.example"
OUTSIDE_ASSESSOR = "assessor@riverside.example"  # the demo data's assessor, at another employer


# ------------------------------------------------------------------------------------------------------ the server
@pytest.fixture(scope="module")
def journey_server() -> Iterator[Server]:
    """A fresh server for the journey (its own database, mail folder and files), migrated, with the demo data."""
    require_chromium()
    folder = Path(tempfile.mkdtemp(prefix="portal-journey-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": server_database_url(folder, SCHEMA, "journey"),
           "PORTAL_INSTANCE_PATH": str(folder), "SECRET_KEY": "journey-tests-" + "x" * 40,
           "MAIL_BACKEND": "file", "MAIL_FILE_DIR": str(folder / "mail"), "SIGN_IN_RATE_LIMIT": "1000 per minute",
           "EXTERNAL_URL": base}
    env.pop("TEST_DATABASE_URL", None)
    follow_the_test_clock(env, folder)
    server = Server(base, env, folder)
    server.cli("db", "upgrade")
    server.cli("seed-demo")
    try:
        with running_server(env, port, folder / "server.log"):
            yield server
    finally:
        if IS_POSTGRES:
            from sqlalchemy import text

            from portal.db import build_engine

            engine = build_engine(TEST_DATABASE_URL)
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            engine.dispose()


# ------------------------------------------------------------------------------------------------------ the steps
def set_up_the_employer(j: Journey, cast: People) -> None:
    """The programme admin creates the organisation and invites its employer admin, who accepts."""
    j.secrets["programme_admin"] = demo_totp_secret(PROGRAMME_ADMIN)
    page = j.sign_in("programme_admin", PROGRAMME_ADMIN, DEMO_PASSWORD)
    page = j.go("programme_admin", "/admin/organisations/new")
    page.get_by_label("Organisation name").fill(cast.org)
    page.get_by_label("Local authority").check()
    page.get_by_label("Short code").fill(cast.code)
    j.click(page, "Create organisation")
    assert cast.org in j.success(page)
    j.click(page, "Invite someone")
    invite(j, page, name="Emma Admin", address=cast.admin, organisation=cast.org, role="Employer admin")
    j.accept_invitation("employer_admin", cast.admin)


def staff_the_employer(j: Journey, cast: People) -> None:
    """The employer admin invites a practitioner, a supervisor, a moderator and an assessor; each accepts (the
    moderator and assessor set up two-factor authentication on the way)."""
    for name, address, role, swe in (("Pat Practitioner", cast.practitioner, "Practitioner", cast.swe),
                                     ("Sue Supervisor", cast.supervisor, "Practice supervisor", cast.supervisor_swe),
                                     ("Mo Moderator", cast.moderator, "Moderator", ""),
                                     ("Ash Assessor", cast.assessor, "Assessor", "")):
        page = j.go("employer_admin", "/admin/people/invite")
        invite(j, page, name=name, address=address, organisation=cast.org, role=role, swe=swe)
    j.server.cli("mail", "send")
    for who, address in (("practitioner", cast.practitioner), ("supervisor", cast.supervisor),
                         ("moderator", cast.moderator), ("assessor", cast.assessor)):
        j.accept_invitation(who, address, send=False)


def record_observation(j: Journey, cast: People) -> None:
    page = j.go("supervisor", "/casework/observations/new")
    page.get_by_label("Whose practice did you observe?").select_option(index=1)
    j.click(page, "Continue")
    fill_date(page, "Date of the observation", clock.today() - dt.timedelta(days=30))
    page.get_by_label("Case reference").fill("Case 15")
    page.get_by_label("Activity observed (optional)").select_option(label="Home visit")
    page.get_by_label("What was observed").fill("A home visit to Child A with Parent B.")
    page.get_by_label("Strengths", exact=True).fill("Warm and clear with Child A.")
    page.get_by_label("Development points", exact=True).fill("Summarise the plan at the end of the visit.")
    page.get_by_label("KSS-CF.1 Relationships and effective direct work").check()
    j.click(page, "Save observation")
    assert "Direct observation" in page.locator("main").inner_text(), j.errors(page)


def ask_for_feedback(j: Journey, cast: People) -> None:
    """The practitioner asks a health visitor for feedback; the link arrives by e-mail; the health visitor, who has
    no account, answers through it."""
    page = j.go("practitioner", "/casework/")
    j.click(page, "Ask for feedback")
    page.get_by_label("Another professional").check()
    page.get_by_label("Their email address").fill(f"health.visitor{cast.suffix}@nhs.example")
    page.get_by_label("How you will recognise their feedback").fill("Health visitor")
    page.get_by_label("Case reference").fill("Case 16")
    j.click(page, "Send the link")
    j.success(page)


def give_feedback(j: Journey, cast: People) -> None:
    link = j.server.link_in_mail(f"health.visitor{cast.suffix}@nhs.example", "/feedback/")
    page = j.go("health_visitor", link)
    page.get_by_label("Your role").fill("Health visitor")
    page.get_by_label("What did the social worker do well?").fill("Clear plans, shared quickly with us.")
    page.get_by_label("What could they do differently? (optional)").fill("Copy us into core group notes.")
    j.click(page, "Send feedback")
    assert "thank" in page.locator("main").inner_text().lower(), j.errors(page)


def second_mark(j: Journey, cast: People) -> None:
    """When sampled: the moderator chooses an assessor from another employer, who marks the same sealed version
    blind (without the first mark)."""
    if not cast.sampled:
        return
    page = j.go("moderator", "/assessments/moderation")
    j.click(page, "Choose the second marker")
    page.get_by_label("Maria Kowalska").check()
    j.click(page, "Confirm")
    j.secrets["second_marker"] = demo_totp_secret(OUTSIDE_ASSESSOR)
    page = j.sign_in("second_marker", OUTSIDE_ASSESSOR, DEMO_PASSWORD)
    page = j.go("second_marker", "/assessments/queue")
    page.locator("main").get_by_role("link", name=re.compile(r"^Submission \d+, Year 1")).click()
    assert "/second-marking" in page.url
    j.check(page)
    text = page.locator("main").inner_text()
    assert "A thoughtful first year" not in text and "Pat Practitioner" not in text, "the second mark must be blind"
    mark(j, "second_marker", urlsplit(page.url).path, "Agree: a clear pass.")


def download_and_scan_certificate(j: Journey, cast: People) -> None:
    """The practitioner downloads the PDF; its page, rendered to PNG, carries a QR code that decodes to the verify
    URL, and the public check there says the certificate is valid."""
    page = j.go("practitioner", "/certificates")
    row = page.locator("main tbody tr").filter(has_text="Year 1")
    cast.certificate_code = re.search(r"EPP-[A-Z0-9-]+", row.inner_text()).group(0)
    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile("Certificate \\(PDF\\)")).click()
    pdf = j.server.folder / "certificate.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    codes = qr_codes_in_pdf(pdf.read_bytes())
    cast.verify_url = f"{j.base}/verify/{cast.certificate_code}"
    assert codes == [cast.verify_url], codes
    page = j.go("public", codes[0])
    text = page.locator("main").inner_text()
    assert "Valid" in text and "Year 1" in text, text
    assert "Pat Practitioner" in text or cast.certificate_code in text


def revoke_certificate(j: Journey, cast: People) -> None:
    """The programme admin finds the certificate in the register and revokes it; the public check says so."""
    page = j.go("programme_admin", "/admin/certificates")
    j.click(page, cast.certificate_code, exact=True)
    text = page.locator("main").inner_text()
    assert cast.verify_url in text and "<a " not in text, text
    j.click(page, "Revoke certificate")
    page.get_by_label("Reason").fill("Awarded in error: the evidence was not the holder's own.")
    j.click(page, "Revoke certificate")
    j.success(page)
    page = j.go("public", cast.verify_url)
    text = page.locator("main").inner_text()
    assert "Revoked" in text and "Valid" not in text, text


JOURNEY = [set_up_the_employer, staff_the_employer, enrol_the_practitioner, log_cpd, write_case_reflection,
           redact_and_send, verify_reflection, record_observation, ask_for_feedback, give_feedback, start_year_one,
           choose_evidence_with_the_keyboard, agree_to_submission, submit_with_the_keyboard, allocate_the_assessor,
           assess, draw_the_sample, second_mark, moderate, sign_off, download_and_scan_certificate,
           revoke_certificate]


def test_the_whole_journey(journey_server: Server, browser: Any, request: pytest.FixtureRequest) -> None:
    journey = Journey(browser, journey_server)
    cast = People()
    step = None
    try:
        for step in JOURNEY:
            started = time.monotonic()
            step(journey, cast)
            journey.timings.append(f"{step.__name__}: {time.monotonic() - started:.1f} s")
    except BaseException:
        saved = journey.save_artifacts(request.node.name)
        print(f"\nthe journey failed at {step.__name__ if step else '?'}; saved: {[str(p) for p in saved]}")
        raise
    finally:
        journey.close()
        print("\n" + ", ".join(journey.timings) + f"; {journey.checked} pages checked")
        if journey.gaps:
            print("\nsteps with no page (done another way):\n  " + "\n  ".join(journey.gaps))
    assert journey.checked >= 50, journey.checked
    assert journey.violations == [], "accessibility violations:\n" + "\n".join(journey.violations)
