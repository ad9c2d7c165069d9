"""The whole journey in Chromium, as each person in turn, on a server of its own: a new employer is set up and its
staff invited by e-mail, a practitioner builds Year 1 evidence (an upload, a redacted name, a supervisor's
verification and observation, external feedback), submits, is assessed, moderated and signed off, downloads the
certificate, whose QR code leads to the public check that says valid and, once the programme admin revokes it,
revoked. Every page is checked with axe-core (WCAG 2.2 AA); the submission is also made with the keyboard only."""
from __future__ import annotations

import datetime as dt
import email
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest

from portal.users.seeding import DEMO_PASSWORD, demo_totp_secret
from tests.browser.test_accessibility import WCAG_TAGS
from tests.browser_fixtures import ARTIFACTS, CHROMIUM, _free_port, running_server, server_database_url
from tests.conftest import IS_POSTGRES, TEST_DATABASE_URL
from tests.pdf_images import qr_codes_in_pdf

SCHEMA = "journey_check"
PASSWORD = "juniper kettle orchard lantern"
PROGRAMME_ADMIN = "programme.admin@pathway.example"
OUTSIDE_ASSESSOR = "assessor@riverside.example"  # the demo data's assessor, at another employer


# ------------------------------------------------------------------------------------------------------ the server
class Server:
    """The portal under gunicorn with its own database and mail folder, and its ``portal`` command."""

    def __init__(self, base: str, env: dict[str, str], folder: Path):
        self.base, self.env, self.folder = base, env, folder

    def cli(self, *args: str) -> str:
        result = subprocess.run([str(Path(sys.executable).parent / "portal"), *args], check=False, env=self.env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"portal {' '.join(args)}: {result.stdout}\n{result.stderr}"
        return result.stdout

    def mail_to(self, address: str, *, send: bool = True) -> list[tuple[str, str]]:
        """Deliver the outbox (``portal mail send``, as the timer would) and read what reached ``address``."""
        if send:
            self.cli("mail", "send")
        found = []
        for path in sorted((self.folder / "mail").glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if str(message["To"]).lower() == address.lower():
                found.append((str(message["Subject"]), message.get_body(("plain",)).get_content()))
        return found

    def link_in_mail(self, address: str, path_prefix: str, *, send: bool = True) -> str:
        for _subject, body in reversed(self.mail_to(address, send=send)):
            match = re.search(rf"{re.escape(self.base)}{re.escape(path_prefix)}\S+", body)
            if match:
                return match.group(0)
        raise AssertionError(f"no mail to {address} with a {path_prefix} link: {self.mail_to(address, send=False)}")


@pytest.fixture(scope="module")
def journey_server() -> Iterator[Server]:
    """A fresh server for the journey (its own database, mail folder and files), migrated, with the demo data."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required (REQUIRE_BROWSER is set) but {CHROMIUM} does not exist")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it")
    folder = Path(tempfile.mkdtemp(prefix="portal-journey-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": server_database_url(folder, SCHEMA, "journey"),
           "PORTAL_INSTANCE_PATH": str(folder), "SECRET_KEY": "journey-tests-" + "x" * 40,
           "MAIL_BACKEND": "file", "MAIL_FILE_DIR": str(folder / "mail"), "SIGN_IN_RATE_LIMIT": "1000 per minute",
           "EXTERNAL_URL": base}
    env.pop("TEST_DATABASE_URL", None)
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


# ------------------------------------------------------------------------------------------------------ the people
class Journey:
    """One browser context per person; every page load is checked with axe-core, the violations kept for the end."""

    def __init__(self, browser: Any, server: Server):
        self.browser, self.server, self.base = browser, server, server.base
        self.pages: dict[str, Any] = {}
        self.violations: list[str] = []
        self.checked = 0
        self.secrets: dict[str, str] = {}
        self.last_step: dict[str, int] = {}
        self.gaps: list[str] = []
        self.timings: list[str] = []

    # -- pages
    def page(self, who: str) -> Any:
        if who not in self.pages:
            page = self.browser.new_context(accept_downloads=True).new_page()
            page.set_default_timeout(10_000)
            self.pages[who] = page
        return self.pages[who]

    def check(self, page: Any) -> None:
        from axe_playwright_python.sync_playwright import Axe

        page.wait_for_load_state("load")
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                           "resultTypes": ["violations"]})  # the others' details cost time
        self.checked += 1
        where = f"{urlsplit(page.url).path} ({page.title()})"
        if re.search(r"</?(a|p|code|strong|span|br)\b[^>]*>", page.locator("body").inner_text()):
            self.violations.append(f"{where}: HTML markup shown as text (escaped twice)")
        for v in results.response["violations"]:
            self.violations.append(f"{where}: {v['id']} - {v['help']} ({len(v['nodes'])} nodes, first "
                                   f"{v['nodes'][0]['target']})")

    def go(self, who: str, path: str) -> Any:
        page = self.page(who)
        response = page.goto(path if path.startswith("http") else self.base + path)
        assert response is not None and response.status < 400, f"{who} {path}: {response and response.status}"
        self.check(page)
        return page

    def click(self, page: Any, name: str, *, exact: bool = False) -> None:
        """Press a button or follow a link (by its accessible name), then check the page it leads to."""
        target = page.locator("main").get_by_role("button", name=name, exact=exact)
        if not target.count():
            target = page.locator("main").get_by_role("link", name=name, exact=exact)
        target.first.click()
        page.wait_for_load_state("load")
        self.check(page)

    def success(self, page: Any) -> str:
        banner = page.locator(".govuk-notification-banner--success")
        assert banner.count(), f"{page.url}: no success banner\n{self.errors(page)}"
        return banner.inner_text()

    @staticmethod
    def errors(page: Any) -> str:
        summary = page.locator(".govuk-error-summary")
        return summary.inner_text() if summary.count() else page.locator("main").inner_text()[:2000]

    # -- two-factor codes: each code is accepted once, so wait for the next time-step when one was used
    def code(self, who: str) -> str:
        secret = self.secrets[who]
        step = int(time.time() // 30)
        if self.last_step.get(who, -1) >= step:
            time.sleep(30 - time.time() % 30 + 0.2)
            step = int(time.time() // 30)
        self.last_step[who] = step
        return pyotp.TOTP(secret).at(step * 30)

    def sign_in(self, who: str, email_address: str, password: str) -> Any:
        page = self.go(who, "/sign-in")
        page.get_by_label("Email address").fill(email_address)
        page.get_by_label("Password", exact=True).fill(password)
        self.click(page, "Sign in")
        if "/security-code" in page.url:
            page.get_by_label("Security code").fill(self.code(who))
            self.click(page, "Continue")
        assert "/sign-in" not in page.url, self.errors(page)
        return page

    def accept_invitation(self, who: str, address: str, *, send: bool = True) -> Any:
        """Open the link from the invitation e-mail, set a password; set up two-factor authentication when the
        role needs it (the key is read from the set-up page, as a person would type it into their app)."""
        link = self.server.link_in_mail(address, "/invitation/", send=send)
        page = self.go(who, link)
        page.get_by_label("Create a password").fill(PASSWORD)
        page.get_by_label("Confirm password").fill(PASSWORD)
        self.click(page, "Save password")
        if "/account/two-factor" in page.url:
            self.secrets[who] = page.locator(".app-secret-key").inner_text().replace(" ", "")
            page.get_by_label("Code from your authenticator app").fill(self.code(who))
            self.click(page, "Turn on two-factor authentication")
            assert "recovery" in page.locator("main").inner_text().lower(), self.errors(page)
        return page

    def save_artifacts(self, name: str) -> list[Path]:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        saved = []
        for who, page in self.pages.items():
            try:
                shot = ARTIFACTS / f"{name}-{who}.png"
                page.screenshot(path=str(shot), full_page=True)
                html = ARTIFACTS / f"{name}-{who}.html"
                html.write_text(f"<!-- {page.url} -->\n" + page.content())
                saved += [shot, html]
            except Exception as error:  # noqa: BLE001 - keep what can be kept
                print(f"could not save the page of {who}: {error}")
        return saved

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


# ------------------------------------------------------------------------------------------------------ the steps
class People:
    """The journey's cast (a suffix keeps names unique when a step is re-run against a long-lived server)."""

    def __init__(self, suffix: str = ""):
        suffix = suffix.lower()
        self.suffix = suffix
        self.org = f"Westmarch Council{suffix}"
        self.code = f"WMC{suffix}".upper()[:20]
        self.admin = f"emma.admin{suffix}@westmarch.example"
        self.practitioner = f"pat.practitioner{suffix}@westmarch.example"
        self.supervisor = f"sue.supervisor{suffix}@westmarch.example"
        self.moderator = f"mo.moderator{suffix}@westmarch.example"
        self.assessor = f"ash.assessor{suffix}@westmarch.example"
        number = int(time.time()) % 90000 + 10000
        self.swe, self.supervisor_swe = f"SW7{number}", f"SW8{number}"
        # found on the way
        self.enrolment_url = self.reflection_url = self.submission_url = ""
        self.certificate_code = self.verify_url = ""
        self.sampled = False


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


def invite(j: Journey, page: Any, *, name: str, address: str, organisation: str, role: str, swe: str = "") -> None:
    """Fill in and send the invitation form ``page`` shows."""
    assert "/admin/people/invite" in page.url, page.url
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(address)
    if swe:
        page.get_by_label("Social Work England registration number (optional)").fill(swe)
    page.get_by_label("Organisation").select_option(label=organisation)
    page.get_by_label(role, exact=True).check()
    j.click(page, "Send invitation")
    assert "sent an invitation" in j.success(page)


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


def fill_date(page: Any, label: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=label)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


START = dt.date.today() - dt.timedelta(days=300)


def enrol_the_practitioner(j: Journey, cast: People) -> None:
    page = j.go("employer_admin", "/enrolments/new")
    page.get_by_label("Practitioner").select_option(label=f"Pat Practitioner ({cast.practitioner})")
    page.get_by_label("Five-year early career framework for child and family social workers").check()
    fill_date(page, "Start date", START)
    page.get_by_label("Full-time equivalent (FTE)").fill("1")
    page.get_by_label("Practice supervisor").select_option(label="Sue Supervisor")
    j.click(page, "Enrol")
    assert "/enrolments/" in page.url and "Pat Practitioner" in page.locator("main").inner_text(), j.errors(page)
    cast.enrolment_url = urlsplit(page.url).path


#: a small real PDF (the upload's type is checked by content)
EVIDENCE_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def log_cpd(j: Journey, cast: People) -> None:
    """Two complete CPD records, the first with a certificate of attendance uploaded, the second with peer
    reflection."""
    for n, (title, peer) in enumerate((("Neglect and cumulative harm course", False),
                                        ("Reading on drift in child protection plans", True))):
        page = j.go("practitioner", "/cpd/new")
        page.get_by_label("Title of the CPD activity").fill(title)
        page.get_by_label("Course or training").check()
        day = dt.date.today() - dt.timedelta(days=20 + n)
        fill_date(page, "Start date", day)
        fill_date(page, "End date", day)
        page.get_by_label("Hours", exact=True).fill("6")
        page.get_by_label("Participatory hours").fill("4")
        page.get_by_label("Describe the CPD activity and why it is relevant to your practice").fill(
            "A day course on recognising neglect over time.")
        page.get_by_label("What have you learnt from this CPD activity?").fill("How small harms add up.")
        page.get_by_label("What impact has this learning had, or will it have, on your practice?").fill(
            "I chronologise concerns before each core group.")
        page.get_by_label("What impact has it had, or will it have, on the people you work with?").fill(
            "Families hear a clearer account of our worries.")
        if peer:
            page.get_by_label("Name of the peer you discussed this CPD activity with").fill("Rhiannon Jones")
            page.get_by_label("Peer's role").fill("Senior practitioner")
            fill_date(page, "Date of the discussion", day + dt.timedelta(days=2))
            page.get_by_label("Describe what you have learnt from discussing this CPD activity").fill(
                "To test thresholds with a colleague.")
        page.get_by_label("KSS-CF.5 Abuse and neglect of children").check()
        if n == 0:
            page.get_by_label("Upload evidence files (optional)").set_input_files(
                {"name": "attendance-certificate.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE_PDF})
        j.click(page, "Save and mark as complete")
        assert "Neglect" in page.locator("main").inner_text() or "drift" in page.locator("main").inner_text(), \
            j.errors(page)
        if n == 0:
            assert "attendance-certificate.pdf" in page.locator("main").inner_text(), j.errors(page)


def write_case_reflection(j: Journey, cast: People) -> None:
    """A case reflection that names a child (the practitioner's slip the guard is there to catch)."""
    page = j.go("practitioner", "/casework/")
    j.click(page, "Add a case reflection")
    fill_date(page, "Date of the activity", dt.date.today() - dt.timedelta(days=40))
    page.get_by_label("Case reference").fill("Case 14")
    page.get_by_label("Child protection", exact=True).check()
    page.get_by_label("Activity").select_option(label="Home visit")
    page.get_by_label("Co-worker").check()
    page.get_by_label("What happened").fill("I visited Jayden Okafor at home with Parent B to review the safety plan.")
    page.get_by_label("Your analysis").fill("The plan was working; the risk from the home conditions had reduced.")
    page.get_by_label("Your reflection").fill("I learnt to check the plan with the child before the adults.")
    page.get_by_label("KSS-CF.5 Abuse and neglect of children").check()
    j.click(page, "Save")
    cast.reflection_url = urlsplit(page.url).path


def redact_and_send(j: Journey, cast: People) -> None:
    """Checking before sending: the anonymisation guard flags the name, the practitioner replaces it with the
    suggested pseudonym, and sends the item to the supervisor to verify."""
    page = j.go("practitioner", cast.reflection_url)
    j.click(page, "Check and send for verification")
    main = page.locator("main").inner_text()
    assert "Personal name" in main and "Jayden Okafor" in main, main
    j.click(page, "Replace with ‘Person A’ in What happened")
    main = page.locator("main").inner_text()
    assert "Jayden Okafor" not in main, main
    if "/check" not in page.url:
        page = j.go("practitioner", cast.reflection_url + "/check")
    assert "We found nothing that looks like it could identify" in page.locator("main").inner_text(), j.errors(page)
    j.click(page, "Send for verification")
    page = j.go("practitioner", cast.reflection_url)
    text = page.locator("main").inner_text()
    assert "Person A" in text and "Jayden" not in text and "Waiting for verification" in text, text


def verify_reflection(j: Journey, cast: People) -> None:
    """The supervisor verifies the reflection from the queue."""
    page = j.go("supervisor", "/casework/verifications")
    j.click(page, "Case reflection – Home visit, Case 14")
    if "/verify" not in page.url:
        j.click(page, "Verify")
    for box in ("The activity took place as described", "The practitioner's role is recorded correctly",
                "I have checked that it does not identify a child or family"):
        page.get_by_label(box).check()
    page.get_by_label("Comment (optional)").fill("Discussed in supervision on Tuesday.")
    j.click(page, "Verify", exact=True)
    assert "You verified this item" in j.success(page)


def record_observation(j: Journey, cast: People) -> None:
    page = j.go("supervisor", "/casework/observations/new")
    page.get_by_label("Whose practice did you observe?").select_option(index=1)
    j.click(page, "Continue")
    fill_date(page, "Date of the observation", dt.date.today() - dt.timedelta(days=30))
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


def start_year_one(j: Journey, cast: People) -> None:
    page = j.go("practitioner", "/assessments/mine")
    j.click(page, "Start Year 1 (ASYE-equivalent) portfolio")
    assert "/edit" in page.url, j.errors(page)
    cast.submission_url = urlsplit(page.url).path.removesuffix("/edit")


def tab_to(page: Any, test: str, limit: int = 80) -> None:
    """Press Tab until the focused element passes the JavaScript ``test`` (given ``el``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({test}); }})()"):
            return
    raise AssertionError(f"nothing matching {test} is reachable with Tab on {page.url}")


def choose_evidence_with_the_keyboard(j: Journey, cast: People) -> None:
    """The portfolio form, by keyboard only: Tab to each box and Space to tick it, type the statement, Tab to the
    button and press Enter."""
    page = j.go("practitioner", cast.submission_url + "/edit")
    boxes = page.locator('input[name="items"]')
    values = [boxes.nth(n).get_attribute("value") for n in range(boxes.count())]
    assert len(values) == 3, values  # the verified reflection and the two complete CPD records
    page.locator("body").focus()
    for value in values:
        tab_to(page, f"el.name === 'items' && el.value === '{value}'")
        page.keyboard.press("Space")
    tab_to(page, "el.name === 'statement'")
    page.keyboard.type("Over the year I learnt to plan with Child A first and to test thresholds with peers.")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.includes('Save and check')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/check$"))
    j.check(page)
    assert all(page.locator(f'input[value="{v}"]').count() == 0 for v in values)  # now on the check page


def agree_to_submission(j: Journey, cast: People) -> None:
    """Year 1 is not complete (reviews, more observations and feedback are still to come), so the employer admin
    records the agreement to submit anyway. GAP: nothing in the employer admin's pages leads to a draft waiting for
    agreement (the submissions list shows submitted portfolios only), so they open the link the practitioner sent."""
    j.gaps.append("employer admin: no page lists drafts needing agreement; /assessments/submissions/<id> is reached "
                  "only by its URL")
    page = j.go("employer_admin", cast.submission_url)
    j.click(page, "Agree to submission with requirements not met")
    page.get_by_label("Why can the portfolio be assessed now?").fill(
        "Reviews are booked; the panel can assess the casework and CPD now.")
    j.click(page, "Record agreement")
    j.success(page)


def submit_with_the_keyboard(j: Journey, cast: People) -> None:
    """The check page, by keyboard only: Tab to the button and press Enter."""
    page = j.go("practitioner", cast.submission_url + "/check")
    assert "You cannot submit yet" not in page.locator("main").inner_text(), j.errors(page)
    page.locator("body").focus()
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.includes('Submit portfolio')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/submissions/\d+$"))
    j.check(page)
    assert "Your portfolio has been submitted" in j.success(page)
    assert "Submitted" in page.locator("main").inner_text()


def allocate_the_assessor(j: Journey, cast: People) -> None:
    page = j.go("employer_admin", "/assessments/submissions")
    j.click(page, "Allocate an assessor")
    page.get_by_label("Ash Assessor").check()
    j.click(page, "Allocate assessor")
    j.success(page)


def mark(j: Journey, who: str, marking_path: str, feedback: str) -> Any:
    page = j.go(who, marking_path)
    radios = page.locator('input[type="radio"][value="met"]')
    for n in range(radios.count()):
        radios.nth(n).check()
    page.get_by_label("Pass", exact=True).check()
    page.get_by_label("Feedback to the practitioner").fill(feedback)
    j.click(page, "Finish marking")
    assert "Your marking has been recorded" in j.success(page)
    return page


def assess(j: Journey, cast: People) -> None:
    """The assessor reads the sealed portfolio (the redacted text, never the name) and marks it a pass."""
    page = j.go("assessor", "/assessments/queue")
    j.click(page, "Pat Practitioner")
    version = j.go("assessor", cast.submission_url + "/versions/1")
    text = version.locator("main").inner_text()
    assert "Person A" in text and "Jayden" not in text and "Seal intact" in text, text[:3000]
    mark(j, "assessor", cast.submission_url + "/marking", "A thoughtful first year: plans made with Child A first.")


def draw_the_sample(j: Journey, cast: People) -> None:
    """The moderator draws the blind sample. Ash is a new assessor (their first few recommendations are always
    second-marked), so the submission is sampled and needs a second mark before moderation opens."""
    page = j.go("moderator", "/assessments/moderation")
    text = page.locator("main").inner_text()
    assert "Pat Practitioner" not in text, "moderation must be anonymised"
    j.click(page, f"Draw the sample for {cast.org}")
    page = j.go("moderator", "/assessments/moderation")
    cast.sampled = page.locator("main").get_by_role("link", name="Choose the second marker").count() > 0


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


def moderate(j: Journey, cast: People) -> None:
    page = j.go("moderator", "/assessments/moderation")
    page.locator("main").get_by_role("link", name=re.compile(r"^Open\s+Submission")).first.click()
    j.check(page)
    j.click(page, "Start moderating")
    page.get_by_label("Confirm the recommendation").check()
    page.get_by_label("Reasons").fill("Both marks agree and the evidence supports a pass.")
    j.click(page, "Record decision")
    j.success(page)


def sign_off(j: Journey, cast: People) -> None:
    """The employer admin signs the stage off; signing off issues the certificate."""
    page = j.go("employer_admin", "/assessments/submissions")
    j.click(page, "Sign off", exact=True)
    j.click(page, "Sign off the stage")
    j.success(page)


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
