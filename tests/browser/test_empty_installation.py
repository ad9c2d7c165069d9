"""A new installation, in Chromium, from nothing: no demo data, no fixed two-factor key. The first programme admin is
made with ``portal create-admin`` and sets up two-factor authentication through the page (the key is read from the
screen and the code worked out from it, as an authenticator app does); they create two employers and invite the
employer admin, practitioner, supervisor and moderator of one and two assessors of the other; each accepts the
e-mailed link, sets a password and sets up two-factor authentication wherever the service asks for it. The
practitioner is enrolled and the journey goes on to the Year 1 sign-off and the public check of the certificate.

The service's clock moves between steps, in this process and in the server together (``Journey.move_clock``: the
server follows a shift file that only a test or development configuration reads; production refuses it): the
practitioner is enrolled from today, ten months pass before the Year 1 evidence is written (everyone's session has
ended by then, so each signs in again with a fresh code), and after the sign-off the appeal window passes before the
public check. Each code is for the person's own key, read from the page."""
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
from tests.browser.journey import (
    PASSWORD,
    Journey,
    People,
    Server,
    agree_to_submission,
    allocate_the_assessor,
    assess,
    choose_evidence_with_the_keyboard,
    draw_the_sample,
    enrol_the_practitioner,
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

SCHEMA = "empty_installation_check"
ADMIN = "ada.admin@pathway.example"
OTHER_ORG = "Eastvale Children's Trust"
SECOND_ASSESSOR = "bea.assessor@eastvale.example"


@pytest.fixture(scope="module")
def empty_server() -> Iterator[Server]:
    """A server on an empty database of its own: migrated, the built-in programmes loaded and one programme admin
    made from the command line, as the installation guide says. Nothing else: no demo data."""
    require_chromium()
    folder = Path(tempfile.mkdtemp(prefix="portal-empty-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": server_database_url(folder, SCHEMA, "empty"),
           "PORTAL_INSTANCE_PATH": str(folder), "SECRET_KEY": "empty-installation-" + "x" * 40,
           "MAIL_BACKEND": "file", "MAIL_FILE_DIR": str(folder / "mail"), "SIGN_IN_RATE_LIMIT": "1000 per minute",
           "EXTERNAL_URL": base}
    env.pop("TEST_DATABASE_URL", None)
    follow_the_test_clock(env, folder)
    server = Server(base, env, folder)
    server.cli("db", "upgrade")
    server.cli("framework", "load-builtin")
    out = server.cli("create-admin", "--email", ADMIN, "--name", "Ada Admin", "--password-stdin",
                     stdin=PASSWORD + "\n")
    assert "must set up two-factor authentication" in out, out
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


def key_on(page: Any) -> str:
    return page.locator(".app-secret-key").inner_text().replace(" ", "")


def first_sign_in(j: Journey, cast: People) -> None:
    """No demo account exists. The new programme admin signs in and is sent to set up two-factor authentication;
    the key on screen survives a reload, a second tab and the browser's favicon request, and its code is
    accepted."""
    page = j.go("admin", "/sign-in")
    page.get_by_label("Email address").fill("programme.admin@pathway.example")
    page.get_by_label("Password", exact=True).fill("demo-pathway-2026")
    j.click(page, "Sign in")
    assert "Enter a correct email address and password" in j.errors(page)

    page.get_by_label("Email address").fill(ADMIN)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    j.click(page, "Sign in")
    assert urlsplit(page.url).path == "/account/two-factor", page.url
    key = key_on(page)
    page.reload()
    assert key_on(page) == key, "a reload changed the key"
    other_tab = page.context.new_page()
    icon = other_tab.goto(j.base + "/favicon.ico")
    assert icon is not None and icon.status == 200 and urlsplit(other_tab.url).path == "/favicon.ico"
    assert icon.header_value("content-type").startswith("image/")
    other_tab.goto(j.base + "/account/two-factor")
    assert key_on(other_tab) == key, "a second tab saw another key"
    other_tab.close()
    j.set_up_two_factor("admin", page)
    j.accounts["admin"] = (ADMIN, PASSWORD)
    assert j.secrets["admin"] == key
    page = j.go("admin", "/")
    assert "/account/two-factor" not in page.url


def create_the_employers(j: Journey, cast: People) -> None:
    for name, code in ((cast.org, cast.code), (OTHER_ORG, "EVT")):
        page = j.go("admin", "/admin/organisations/new")
        page.get_by_label("Organisation name").fill(name)
        page.get_by_label("Local authority").check()
        page.get_by_label("Short code").fill(code)
        j.click(page, "Create organisation")
        assert name in j.success(page)


def invite_everyone(j: Journey, cast: People) -> None:
    """The programme admin invites the first employer's admin, practitioner, supervisor and moderator, and two
    assessors of the other employer; each opens the e-mailed link, sets a password and sets up two-factor
    authentication where the service asks for it."""
    people = (("employer_admin", "Emma Admin", cast.admin, cast.org, "Employer admin", ""),
              ("practitioner", "Pat Practitioner", cast.practitioner, cast.org, "Practitioner", cast.swe),
              ("supervisor", "Sue Supervisor", cast.supervisor, cast.org, "Practice supervisor", cast.supervisor_swe),
              ("moderator", "Mo Moderator", cast.moderator, cast.org, "Moderator", ""),
              ("assessor", "Ash Assessor", cast.assessor, OTHER_ORG, "Assessor", ""),
              ("second_marker", "Bea Assessor", SECOND_ASSESSOR, OTHER_ORG, "Assessor", ""))
    for _who, name, address, organisation, role, swe in people:
        page = j.go("admin", "/admin/people/invite")
        invite(j, page, name=name, address=address, organisation=organisation, role=role, swe=swe)
    j.server.cli("mail", "send")
    for who, _name, address, *_ in people:
        page = j.accept_invitation(who, address, send=False)
        page = j.go(who, "/")  # signed in, and not held at the set-up page
        assert "/account/two-factor" not in page.url and "/sign-in" not in page.url, page.url
    assert {"moderator", "assessor", "second_marker"} <= set(j.secrets), j.secrets.keys()


def enrol_from_today(j: Journey, cast: People) -> None:
    """The employer admin enrols the practitioner on the five-year ECF, starting today (the service's today)."""
    cast.start = clock.today()
    enrol_the_practitioner(j, cast)
    page = j.go("practitioner", cast.enrolment_url)
    assert "Year 1" in page.locator("main").inner_text()


def ten_months_pass(j: Journey, cast: People) -> None:
    """The clock moves on ten months: every session has ended (idle and absolute timeouts), so the next page each
    person opens asks them to sign in again; the practitioner's home page now shows the year well under way."""
    j.move_clock(dt.timedelta(days=300))
    page = j.page("practitioner")
    page.goto(j.base + "/cpd/")
    assert urlsplit(page.url).path == "/sign-in", "a session outlived ten months"
    page = j.go("practitioner", "/cpd/")  # signs in again
    assert urlsplit(page.url).path == "/cpd/"


def the_appeal_window_passes(j: Journey, cast: People) -> None:
    """Six weeks after the sign-off (past the 20 working days for an appeal) the certificate still stands."""
    j.move_clock(dt.timedelta(days=42))


def second_mark(j: Journey, cast: People) -> None:
    """Ash is a new assessor, so their first recommendation is second-marked: the moderator picks Bea, who marks the
    same sealed version blind."""
    assert cast.sampled, "a new assessor's first recommendation must be sampled"
    page = j.go("moderator", "/assessments/moderation")
    j.click(page, "Choose the second marker")
    page.get_by_label("Bea Assessor").check()
    j.click(page, "Confirm")
    page = j.go("second_marker", "/assessments/queue")
    page.locator("main").get_by_role("link", name=re.compile(r"^Submission \d+, Year 1")).click()
    assert "/second-marking" in page.url
    j.check(page)
    mark(j, "second_marker", urlsplit(page.url).path, "Agree: a clear pass.")


def check_the_certificate(j: Journey, cast: People) -> None:
    """The practitioner's certificate is listed, and the public check at /verify says it is valid."""
    page = j.go("practitioner", "/certificates")
    row = page.locator("main tbody tr").filter(has_text="Year 1")
    cast.certificate_code = re.search(r"EPP-[A-Z0-9-]+", row.inner_text()).group(0)
    page = j.go("public", f"/verify/{cast.certificate_code}")
    text = page.locator("main").inner_text()
    assert "Valid" in text and "Year 1" in text and "Revoked" not in text, text


EMPTY_INSTALLATION_JOURNEY = [
    first_sign_in, create_the_employers, invite_everyone, enrol_from_today, ten_months_pass, log_cpd,
    write_case_reflection,
    redact_and_send, verify_reflection, start_year_one, choose_evidence_with_the_keyboard, agree_to_submission,
    submit_with_the_keyboard, allocate_the_assessor, assess, draw_the_sample, second_mark, moderate, sign_off,
    the_appeal_window_passes, check_the_certificate]


def test_an_empty_installation_runs_to_a_certificate(empty_server: Server, browser: Any,
                                                     request: pytest.FixtureRequest) -> None:
    journey = Journey(browser, empty_server)
    cast = People()
    step = None
    try:
        for step in EMPTY_INSTALLATION_JOURNEY:
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
    assert journey.violations == [], "accessibility violations:\n" + "\n".join(journey.violations)
