"""The employer and programme dashboards: every number is the length of the list it links to, filters (and bad
filter values), the charts' markup, and a constant number of SQL statements however many enrolments and evidence
rows there are."""
from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.casework import services as casework
from portal.db import session
from portal.enrolments.models import Enrolment, EnrolmentStatus
from portal.enrolments.services import change_status, record_document
from portal.framework.clock import add_months
from portal.users.models import User
from tests.conftest import on_a_settled_day, on_boundary_days, parse, reload

from .conftest import london_today


@pytest.fixture
def cohort(world, enrol_as, bulk):
    """North: Pat (4 months in, no learning agreement: overdue), Olu (2 weeks in, learning agreement due soon:
    at risk), one completed enrolment and 3 bulk practitioners with evidence waiting for Sue; South: Sam."""
    today = london_today()
    pat = enrol_as(world["prac"], start=add_months(today, -4), supervisor=world["sup"])
    olu = enrol_as(world["other_prac"], start=today - dt.timedelta(days=14), supervisor=world["sup2"])
    sam = enrol_as(world["south_prac"], start=add_months(today, -4), supervisor=world["south_sup"],
                   organisation=world["south"])
    bulk_ids = bulk(3, supervisor=world["sup"], name="Bulk North")
    finished = session().get(Enrolment, bulk_ids[0])
    change_status(finished, EnrolmentStatus.COMPLETED, by=None)
    session().commit()
    return {"pat": pat, "olu": olu, "sam": sam, "bulk": bulk_ids}


def number_links(soup):
    """Every link on the page whose text is a number and that leads to a list: (number, href)."""
    return [(int(a.get_text(strip=True)), a["href"]) for a in soup.select("main a[href]")
            if re.fullmatch(r"\d+", a.get_text(strip=True)) and ("/people" in a["href"]
                                                                  or "/verifications" in a["href"])]


def listed(page, href):
    soup = page(href)
    count = soup.select_one("#people-count strong, #verifications-count strong")
    return int(count.get_text(strip=True)), soup


@on_boundary_days
def test_every_number_on_the_employer_dashboard_is_the_length_of_its_list(page, sign_in_as, world, cohort):
    sign_in_as(world["north_admin"])
    soup = page(f"/oversight/organisations/{world['north'].id}")
    links = number_links(soup)
    assert len(links) > 15
    for number, href in links:
        count, _ = listed(page, href)
        assert count == number, href
    figures = {f["data-figure"]: int(f.get_text(strip=True)) for f in soup.select("[data-figure]")}
    assert figures["total"] == 5  # Pat, Olu and three bulk practitioners (one completed); not Sam from South
    assert figures["overdue"] + figures["at_risk"] + figures["on_track"] == 4


@on_a_settled_day  # a new starter near 1 December also owes last year's CPD: that rule has its own tests
def test_the_list_shows_exactly_the_people_counted_with_their_reasons(page, sign_in_as, world, cohort):
    sign_in_as(world["north_admin"])
    base = f"/oversight/organisations/{world['north'].id}"
    count, soup = listed(page, f"{base}/people?level=overdue&topic=requirement")
    names = [row.select_one("th a").get_text(strip=True) for row in soup.select("tr[data-enrolment]")]
    assert "Pat Practitioner" in names and "Olu Other" not in names and count == len(names)
    pat_row = soup.select_one(f"tr[data-enrolment='{cohort['pat'].id}']")
    assert "Learning agreement: 0 of 1, was due" in pat_row.get_text(" ", strip=True)
    _, soup = listed(page, f"{base}/people?standing=at_risk")
    olu_row = soup.select_one(f"tr[data-enrolment='{cohort['olu'].id}']")
    assert olu_row is not None and "Learning agreement: 0 of 1, due in" in olu_row.get_text(" ", strip=True)
    count, soup = listed(page, f"{base}/people?status=completed")
    assert count == 1 and soup.select_one(f"tr[data-enrolment='{cohort['bulk'][0]}']")


def test_pending_verifications_by_supervisor_link_to_the_items(page, sign_in_as, world, cohort):
    sign_in_as(world["north_admin"])
    soup = page(f"/oversight/organisations/{world['north'].id}")
    row = soup.select_one(f"#verification-queues tr[data-supervisor='{world['sup'].id}']")
    assert row.select_one("th").get_text(strip=True) == "Sue Supervisor"
    # three bulk practitioners with two items each, one of them completed (its items no longer wait)
    assert row.select_one("[data-column='waiting']").get_text(strip=True) == "4"
    assert row.select_one("[data-column='over-a-week']").get_text(strip=True) == "4"
    count, items = listed(page, row.select_one("[data-column='waiting'] a")["href"])
    assert count == 4 and len(items.select("tr[data-item]")) == 4
    assert "A visit" not in items.get_text()  # the evidence text is never shown


def test_the_programme_dashboard_covers_every_organisation(page, sign_in_as, world, cohort):
    sign_in_as(world["prog"])
    soup = page("/oversight/programme")
    assert int(soup.select_one("[data-figure='total']").get_text(strip=True)) == 6
    orgs = soup.select("#cohort-by-organisation-table tbody tr")
    assert {r.select_one("th").get_text(strip=True) for r in orgs} == {"Northshire", "Southshire"}
    for number, href in number_links(soup):
        assert listed(page, href)[0] == number, href
    # filtered to one organisation, the numbers are that organisation's
    north_only = page(f"/oversight/programme?organisation={world['south'].id}")
    assert int(north_only.select_one("[data-figure='total']").get_text(strip=True)) == 1


def test_charts_are_accessible_svg_with_the_same_numbers_in_a_table(page, sign_in_as, world, cohort):
    sign_in_as(world["north_admin"])
    soup = page(f"/oversight/organisations/{world['north'].id}")
    for chart in soup.select("[data-chart]"):
        svg = chart.select_one("svg")
        assert svg["role"] == "img"
        title, desc = svg.select_one("title"), svg.select_one("desc")
        assert title.get_text(strip=True) and desc.get_text(strip=True)
        assert svg["aria-labelledby"] == f"{title['id']} {desc['id']}"
        table = chart.select_one("table")
        assert table.select_one("caption").get_text(strip=True) == title.get_text(strip=True)
    status = soup.select_one("[data-chart='enrolments-by-status']")
    table = {r["data-category"]: r.select_one("td").get_text(strip=True) for r in status.select("tbody tr")}
    assert table == {"active": "4", "completed": "1", "withdrawn": "0"}
    assert "Active: 4; Completed: 1; Withdrawn: 0." in status.select_one("desc").get_text()
    assert len(status.select("rect")) == 2  # no bar for zero
    assert not soup.select("main script, svg script")  # no chart script: the CSP stays strict
    assert not [tag for tag in soup.select("svg *") if tag.has_attr("style") or tag.has_attr("onload")]


def test_search_and_filters_narrow_every_number(page, sign_in_as, world, cohort):
    sign_in_as(world["north_admin"])
    base = f"/oversight/organisations/{world['north'].id}"
    soup = page(f"{base}?q=pat")
    assert int(soup.select_one("[data-figure='total']").get_text(strip=True)) == 1
    for number, href in number_links(soup):
        assert "q=pat" in href and listed(page, href)[0] == number
    assert listed(page, f"{base}/people?q=SW200002")[0] == 1  # by registration number
    soup = page(f"{base}?stage=Y1")
    for number, href in number_links(soup):
        if "/people" in href:
            assert parse_qs(urlsplit(href).query)["stage"] == ["Y1"]
            assert listed(page, href)[0] == number


@pytest.mark.parametrize("query", [
    "programme=NOPE", "stage=Z9", "organisation=abc", "organisation=999999", "status=lost", "standing=great",
    "level=bad", "topic=%3Cscript%3E", "supervisor=x", "waiting=forever", "q=" + "x" * 500, "after=%%%",
    "before=not-a-cursor",
])
def test_unknown_filter_values_are_ignored_with_a_message(page, sign_in_as, world, cohort, query):
    sign_in_as(world["prog"])
    for path in ("/oversight/programme", "/oversight/programme/people", "/oversight/programme/verifications",
                 f"/oversight/organisations/{world['north'].id}/people"):
        soup = page(f"{path}?{query}")
        if query.split("=")[0] not in {"q", "after", "before"} and not (
                query.startswith("supervisor") and "verifications" not in path) and not (
                query.startswith("organisation") and "organisations/" in path):
            assert soup.select_one(".app-ignored-filters"), (path, query)
    assert page("/oversight/programme/people.csv?stage=Z9").name is not None


def test_the_employer_dashboard_runs_a_constant_number_of_statements(client, world, bulk, sign_in_as,
                                                                     count_statements):
    bulk(10, supervisor=world["sup"])
    sign_in_as(world["north_admin"])
    base = f"/oversight/organisations/{world['north'].id}"
    pages = [base, f"{base}/people?standing=at_risk", f"{base}/verifications", f"{base}/people.csv",
             f"{base}/verifications.csv"]
    small = {}
    for url in pages:
        assert client.get(url).status_code == 200  # warm the template cache
        with count_statements() as counter:
            response = client.get(url)
            response.get_data()
        small[url] = counter.count
    bulk(990, supervisor=world["sup"])
    big, seconds = {}, {}
    for url in pages:
        started = time.perf_counter()
        with count_statements() as counter:
            response = client.get(url)
            body = response.get_data()
        seconds[url] = time.perf_counter() - started
        big[url] = counter.count
        assert response.status_code == 200
    assert {u: small[u] for u in pages[:3]} == {u: big[u] for u in pages[:3]}, (small, big)
    assert big[pages[3]] == small[pages[3]]
    # the verifications export reads 500 items per query: 2,000 items take 5 batches (still no query per item)
    assert big[pages[4]] <= small[pages[4]] + 4
    assert body.count(b"\r\n") == 2000 + 1  # the header and every waiting item
    print(f"employer dashboard with 1,000 enrolments and 3,000 evidence rows: {big[base]} statements, "
          f"{seconds[base]:.2f} s; lists {big[pages[1]]}/{big[pages[2]]} statements")


def test_the_programme_dashboard_runs_a_constant_number_of_statements(client, world, bulk, sign_in_as,
                                                                      count_statements):
    bulk(5, supervisor=world["sup"])
    bulk(5, organisation=world["south"], supervisor=world["south_sup"])
    sign_in_as(world["prog"])
    client.get("/oversight/programme")
    with count_statements() as small:
        client.get("/oversight/programme")
    bulk(495, supervisor=world["sup"])
    bulk(495, organisation=world["south"], supervisor=world["south_sup"])
    with count_statements() as big:
        soup = parse(client.get("/oversight/programme"))
    assert small.count == big.count, (small.statements, big.statements)
    assert int(soup.select_one("[data-figure='total']").get_text(strip=True)) == 1000
    print(f"programme dashboard with 1,000 enrolments: {big.count} statements")


def test_verifying_an_item_takes_it_off_the_dashboard(page, sign_in_as, world, enrol_as):
    enrolment = enrol_as(world["prac"], supervisor=world["sup"])
    sess = session()
    item = casework.create_case_reflection(
        sess.get(Enrolment, enrolment.id), by=sess.get(User, world["prac"].id), occurred_on=london_today(),
        case_reference="Case 3", category="child_protection", activity="home_visit", role="observer",
        texts={"account": "Visited Child A.", "analysis": "Safe.", "reflection": "Listen first."},
        statements=["KSS-CF.1"])
    casework.request_verification(item, by=sess.get(User, world["prac"].id))
    sess.commit()
    sign_in_as(world["north_admin"])
    url = f"/oversight/organisations/{world['north'].id}"
    assert page(url).select_one(f"tr[data-supervisor='{world['sup'].id}'] [data-column='waiting']").get_text(
        strip=True) == "1"
    casework.verify_item(reload(item), by=sess.get(User, world["sup"].id), confirmed=casework.CONFIRMATIONS)
    sess.commit()
    assert page(url).select_one(f"tr[data-supervisor='{world['sup'].id}']") is None


@on_a_settled_day
def test_a_document_recorded_moves_someone_back_on_track(page, sign_in_as, world, enrol_as):
    today = london_today()
    enrolment = enrol_as(world["prac"], start=today - dt.timedelta(days=10), supervisor=world["sup"])
    sign_in_as(world["north_admin"])
    url = f"/oversight/organisations/{world['north'].id}/people?standing=at_risk"
    assert listed(page, url)[0] == 1
    record_document(reload(enrolment), kind="learning_agreement", title="Learning agreement", summary="Agreed",
                    completed_on=today, stage_code="Y1", by=reload(world["sup"]))
    session().commit()
    _count, soup = listed(page, url)
    reasons = soup.get_text(" ")
    assert "Learning agreement" not in reasons


@pytest.mark.parametrize("cursor", ["WzEuNSwieCJd", "WyJ4IiwieSIsInoiXQ", "W3RydWUsMV0", "W251bGwsbnVsbF0", "%%%"])
def test_tampered_cursors_start_again_at_the_first_page(page, sign_in_as, world, cohort, cursor):
    sign_in_as(world["prog"])
    for direction in ("after", "before"):
        soup = page(f"/oversight/programme/people?{direction}={cursor}")
        assert soup.select("tr[data-enrolment]")
