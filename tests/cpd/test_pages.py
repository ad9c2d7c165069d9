"""The practitioner's CPD pages: add, view, edit, finish a draft, delete, the list with its filters and totals."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import insert, select

from portal.audit import AuditEvent
from portal.cpd.models import CpdRecord, CpdRecordStandard, CpdStatus, CpdType
from portal.cpd.years import registration_year
from portal.db import session

from ..conftest import on_boundary_days, parse
from .conftest import DAY, complete_form, this_year, today


def _last_record() -> CpdRecord:
    return session().execute(select(CpdRecord).order_by(CpdRecord.id.desc())).scalars().first()


def test_add_a_complete_record(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    assert "Add a CPD record" in parse(client.get("/cpd/new")).h1.get_text()
    response = client.post("/cpd/new", data=complete_form())
    assert response.status_code == 302, parse(response).select_one(".govuk-error-summary")
    record = _last_record()
    assert record.status == CpdStatus.COMPLETE and record.completed_at is not None
    assert record.hours == Decimal("6.5") and record.participatory_hours == Decimal(4)
    assert record.statement_codes == ["KSS-CF.5", "SWE-PS.4"]
    assert record.enrolment_id == world["enrolment_id"]
    assert record.registration_year == registration_year(record.end_date)
    assert record.has_peer_reflection
    page = parse(client.get(response.headers["Location"]))
    text = page.get_text()
    assert "Working with neglect" in page.h1.get_text()
    assert "KSS-CF.5 Abuse and neglect of children" in text and "Rhiannon Jones" in text


def test_save_a_draft_then_finish_it(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    response = client.post("/cpd/new", data={"title": "Half-written reflection", "save_draft": "y"})
    assert response.status_code == 302
    record = _last_record()
    assert record.status == CpdStatus.DRAFT
    page = parse(client.get(f"/cpd/{record.id}"))
    assert "This is a draft" in page.get_text()
    # finishing as it stands lists every missing answer
    soup = parse(client.post(f"/cpd/{record.id}/finish"))
    summary = soup.select_one(".govuk-error-summary").get_text()
    for message in ("Select the type of CPD activity", "Enter the start date", "Enter the hours",
                    "Enter what you have learnt"):
        assert message in summary
    assert session().get(CpdRecord, record.id).status == CpdStatus.DRAFT
    # the edit form fills the gaps and finishes it
    response = client.post(f"/cpd/{record.id}/edit", data=complete_form(title="Half-written reflection"))
    assert response.status_code == 302
    session().expire_all()
    assert session().get(CpdRecord, record.id).status == CpdStatus.COMPLETE


def test_a_complete_draft_finishes_from_the_record_page(client, world, sign_in_as, make_record):
    rid = make_record(world["practitioner"], complete=False)
    sign_in_as(world["practitioner"])
    assert client.post(f"/cpd/{rid}/finish").status_code == 302
    assert session().get(CpdRecord, rid).status == CpdStatus.COMPLETE
    assert client.post(f"/cpd/{rid}/finish").status_code == 200  # already complete: said, not crashed


def test_editing_a_complete_record_keeps_it_complete(client, world, sign_in_as, make_record):
    rid = make_record(world["practitioner"])
    sign_in_as(world["practitioner"])
    page = parse(client.get(f"/cpd/{rid}/edit"))
    assert page.select_one("input[name=title]")["value"] == "Reading on cumulative harm"
    assert "Save changes" in page.get_text() and "Save as draft" not in page.get_text()
    soup = parse(client.post(f"/cpd/{rid}/edit", data=complete_form(learning="", save_draft="y", complete=None)))
    assert "Enter what you have learnt" in soup.select_one(".govuk-error-summary").get_text()
    response = client.post(f"/cpd/{rid}/edit", data=complete_form(title="Changed title", standards=["PCF.3"]))
    assert response.status_code == 302
    session().expire_all()
    record = session().get(CpdRecord, rid)
    assert record.title == "Changed title" and record.statement_codes == ["PCF.3"]
    event = session().execute(select(AuditEvent).where(AuditEvent.action == "cpd.record_updated")
                              .order_by(AuditEvent.id.desc())).scalars().first()
    assert "title" in event.details["changed"]


def test_delete_a_record_with_its_files(client, world, sign_in_as, make_record):
    from portal.evidence.models import EvidenceFile

    from ..evidence import files

    sign_in_as(world["practitioner"])
    data = complete_form()
    data["files"] = [(__import__("io").BytesIO(files.pdf()), "certificate.pdf")]
    response = client.post("/cpd/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    record = _last_record()
    stored = session().execute(select(EvidenceFile).where(EvidenceFile.attached_id == record.id,
                                                          EvidenceFile.attached_type == "CpdRecord")).scalar_one()
    assert "Are you sure" in parse(client.get(f"/cpd/{record.id}/delete")).h1.get_text()
    assert client.post(f"/cpd/{record.id}/delete").status_code == 302
    session().expire_all()
    assert session().get(CpdRecord, record.id) is None
    assert session().get(EvidenceFile, stored.id) is None
    assert session().execute(select(CpdRecordStandard).where(CpdRecordStandard.record_id == record.id)).first() is None


@on_boundary_days
def test_the_list_filters_searches_and_totals(client, world, sign_in_as, make_record):
    practitioner = world["practitioner"]
    this_year = registration_year(today())
    last_year_day = dt.date(this_year - 1, 6, 1)
    make_record(practitioner, title="Neglect course", activity_type=CpdType.COURSE, hours=Decimal(6),
                participatory_hours=Decimal(5), standards=["KSS-CF.5"])
    make_record(practitioner, title="Court skills reading", activity_type=CpdType.READING, hours=Decimal("1.5"),
                standards=["KSS-CF.8"], description="Preparing statements for court")
    make_record(practitioner, title="Old conference", activity_type=CpdType.CONFERENCE, end_date=last_year_day,
                standards=[])
    make_record(world["other_practitioner"], title="Someone else's course")
    sign_in_as(practitioner)
    page = parse(client.get("/cpd/"))
    titles = [a.get_text(strip=True) for a in page.select("#cpd-records tbody a")]
    assert titles[-1] == "Old conference" and "Someone else's course" not in titles
    totals = page.get_text(" ", strip=True)
    assert "7.5" in totals and "5" in totals  # this year's hours and participatory hours

    def listed(query: str) -> list[str]:
        return [a.get_text(strip=True) for a in parse(client.get(f"/cpd/?{query}")).select("#cpd-records tbody a")]

    assert listed(f"year={this_year - 1}") == ["Old conference"]
    assert listed("type=reading") == ["Court skills reading"]
    assert listed("standard=KSS-CF.5") == ["Neglect course"]
    assert listed("q=STATEMENTS") == ["Court skills reading"]
    assert listed("q=%25_") == []  # wildcards are just text
    response = client.get("/cpd/?year=abc&type=wizard&standard=%3Cscript%3E")
    assert response.status_code == 200 and "filter was not recognised" in response.get_data(as_text=True)


@on_boundary_days
def test_the_year_check_shows_on_the_page(client, world, sign_in_as, make_record):
    practitioner = world["practitioner"]
    sign_in_as(practitioner)
    text = parse(client.get("/cpd/")).get_text(" ", strip=True)
    assert "Minimum not met yet" in text and "days left before 30 November" in text or "last day" in text
    day = this_year(1)
    make_record(practitioner, end_date=day)
    make_record(practitioner, end_date=day, peer_name="P", peer_role="R", peer_discussed_on=day, peer_learning="x")
    assert "Minimum met" in parse(client.get("/cpd/")).get_text()


def _bulk(practitioner_id: int, count: int) -> None:
    day = today() - DAY
    rows = [{"practitioner_id": practitioner_id, "status": CpdStatus.COMPLETE, "activity_type": CpdType.READING,
                 "title": f"Bulk {i:04d}", "start_date": day - i * DAY, "end_date": day - i * DAY, "hours": Decimal(1),
                 "participatory_hours": Decimal(0), "provider": "", "description": "d", "learning": "l",
                 "impact_practice": "p", "impact_people": "q", "peer_name": "", "peer_role": "", "peer_learning": "",
                 "registration_year": registration_year(day - i * DAY), "activity_on": day - i * DAY}
            for i in range(count)]
    session().execute(insert(CpdRecord), rows)
    session().commit()


def test_the_list_is_keyset_paginated_with_a_constant_number_of_statements(client, world, sign_in_as,
                                                                         make_user, count_statements):
    from portal.users.models import Role

    small, big = world["practitioner"], make_user(Role.PRACTITIONER, world["north"], name="Big Logger")
    _bulk(small.id, 10)
    _bulk(big.id, 1000)
    sign_in_as(small)
    with count_statements() as few:
        assert client.get("/cpd/").status_code == 200
    sign_in_as(big)
    with count_statements() as many:
        page = parse(client.get("/cpd/"))
    assert few.count == many.count, (few.statements, many.statements)
    # walk a few pages: newest first, no repeats, and a page deep in the list costs the same
    seen: list[str] = []
    url = "/cpd/"
    for _ in range(3):
        titles = [a.get_text(strip=True) for a in page.select("#cpd-records tbody a")]
        seen += titles
        url = page.select_one(".govuk-pagination__next a")["href"]
        with count_statements() as deeper:
            page = parse(client.get(url))
        assert deeper.count == many.count
    assert seen == [f"Bulk {i:04d}" for i in range(len(seen))]
    back = parse(client.get(page.select_one(".govuk-pagination__prev a")["href"]))
    assert [a.get_text(strip=True) for a in back.select("#cpd-records tbody a")] == seen[-25:]
    assert client.get("/cpd/?after=not-a-cursor").status_code == 200
    assert client.get("/cpd/?after=WyJub3QtYS1kYXRlIiwxXQ").status_code == 200  # ["not-a-date",1]
    print(f"list statements: {few.count} with 10 records, {many.count} with 1,000")


@on_boundary_days
def test_the_year_check_partial_renders_for_a_dashboard(app, world, make_record):
    from flask import render_template_string

    from portal.cpd.queries import year_checks

    make_record(world["practitioner"])
    with app.test_request_context():
        html = render_template_string('{% set cpd_checks = checks %}{% include "cpd/_year_check.html" %}',
                                      checks=year_checks(world["practitioner"].id, today()))
    assert "Social Work England CPD" in html and "1 complete CPD record " in html
