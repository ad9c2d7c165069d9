"""Who may see and change CPD: every route by every role, URL tampering, file downloads, and the audit trail."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from portal import permissions
from portal.audit import AuditEvent
from portal.cpd.models import CpdRecord
from portal.cpd.years import registration_year
from portal.db import session
from portal.evidence.models import EvidenceFile

from ..conftest import on_boundary_days, parse
from ..evidence import files as sample
from .conftest import today

ACTORS = ["practitioner", "supervisor", "other_supervisor", "other_practitioner", "assessor", "moderator",
          "employer_admin", "south_admin", "south_practitioner", "programme_admin"]
PRACTITIONERS = {"practitioner", "other_practitioner", "south_practitioner"}
READERS = {"practitioner", "supervisor", "programme_admin"}
ALLOWED = {
    "index": PRACTITIONERS, "new": PRACTITIONERS, "export_csv": PRACTITIONERS, "export_pdf": PRACTITIONERS,
    "view": READERS, "person_records": READERS, "download": READERS,
    "person_summary": READERS | {"employer_admin"},
    "edit": {"practitioner"}, "delete": {"practitioner"}, "finish": {"practitioner"}, "remove_file": {"practitioner"},
    "supervisees": {"supervisor", "other_supervisor"},
    "import_upload": PRACTITIONERS | {"employer_admin", "south_admin"},
}


@pytest.fixture
def target(world, make_record):
    """Siân's complete record with a file, and a draft."""
    from werkzeug.datastructures import FileStorage

    upload = FileStorage(io.BytesIO(sample.pdf()), filename="certificate.pdf")
    record_id = make_record(world["practitioner"], files=[upload], title="Private reflection on Child A")
    draft_id = make_record(world["practitioner"], complete=False, title="A draft")
    file_id = session().execute(select(EvidenceFile.id).where(EvidenceFile.attached_id == record_id,
                                                              EvidenceFile.attached_type == "CpdRecord")).scalar_one()
    return {"record": record_id, "draft": draft_id, "file": file_id}


def routes(world, target):
    r, p, f = target["record"], world["practitioner"].id, target["file"]
    year = registration_year(today())
    return {
        "index": ("GET", "/cpd/"), "new": ("GET", "/cpd/new"), "view": ("GET", f"/cpd/{r}"),
        "edit": ("GET", f"/cpd/{r}/edit"), "delete": ("GET", f"/cpd/{r}/delete"),
        "finish": ("POST", f"/cpd/{target['draft']}/finish"),
        "remove_file": ("POST", f"/cpd/{r}/files/{f}/remove"),
        "person_records": ("GET", f"/cpd/people/{p}"), "person_summary": ("GET", f"/cpd/people/{p}/summary"),
        "supervisees": ("GET", "/cpd/supervisees"), "export_csv": ("GET", f"/cpd/export/{year}.csv"),
        "export_pdf": ("GET", f"/cpd/export/{year}.pdf"), "import_upload": ("GET", "/cpd/import"),
        "download": ("GET", f"/files/{f}"),
    }


@pytest.mark.parametrize("actor", ACTORS)
def test_every_route_by_every_role(client, world, target, sign_in_as, actor):
    sign_in_as(world[actor])
    for name, (method, url) in routes(world, target).items():
        if name in {"remove_file", "finish"} and actor == "practitioner":
            continue  # changes state; covered below
        response = client.open(url, method=method)
        expected = {200, 302} if actor in ALLOWED[name] else {403}
        assert response.status_code in expected, (actor, name, response.status_code)


def test_anonymous_users_are_sent_to_sign_in(client, world, target):
    for name, (method, url) in routes(world, target).items():
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], name


def test_another_practitioners_record_by_url(client, world, target, sign_in_as, make_record):
    intruder = world["other_practitioner"]
    own = make_record(intruder, title="Mine")
    sign_in_as(intruder)
    r, f = target["record"], target["file"]
    for method, url in [("GET", f"/cpd/{r}"), ("GET", f"/cpd/{r}/edit"), ("POST", f"/cpd/{r}/edit"),
                        ("POST", f"/cpd/{r}/delete"), ("POST", f"/cpd/{target['draft']}/finish"),
                        ("GET", f"/files/{f}"), ("GET", f"/cpd/people/{world['practitioner'].id}")]:
        assert client.open(url, method=method).status_code == 403, url
    # their own record's id with someone else's file id
    assert client.post(f"/cpd/{own}/files/{f}/remove").status_code == 404
    assert client.get("/cpd/999999").status_code == 404
    assert session().get(EvidenceFile, f) is not None
    assert session().get(CpdRecord, r).title == "Private reflection on Child A"


def test_owner_removes_a_file(client, world, target, sign_in_as):
    sign_in_as(world["practitioner"])
    assert client.post(f"/cpd/{target['record']}/files/{target['file']}/remove").status_code == 302
    assert session().get(EvidenceFile, target["file"]) is None


@on_boundary_days
def test_employer_admin_sees_counts_never_text(client, world, target, sign_in_as):
    sign_in_as(world["employer_admin"])
    page = parse(client.get(f"/cpd/people/{world['practitioner'].id}/summary")).get_text(" ", strip=True)
    assert "1 complete CPD record" in page
    assert "Private reflection" not in page and "A draft" not in page
    assert client.get(f"/cpd/people/{world['south_practitioner'].id}/summary").status_code == 403


def test_supervision_ends_access(client, world, target, sign_in_as):
    from portal.enrolments.models import Enrolment

    sign_in_as(world["supervisor"])
    assert client.get(f"/cpd/{target['record']}").status_code == 200
    enrolment = session().get(Enrolment, world["enrolment_id"])
    enrolment.supervisor_id = world["other_supervisor"].id
    session().commit()
    assert client.get(f"/cpd/{target['record']}").status_code == 403
    assert client.get(f"/files/{target['file']}").status_code == 403
    sign_in_as(world["other_supervisor"])
    assert client.get(f"/cpd/{target['record']}").status_code == 200
    text = parse(client.get("/cpd/supervisees")).get_text()
    assert "Siân Llŷr" in text


def test_views_by_others_are_audited(client, world, target, sign_in_as):
    def events(action):
        return session().execute(select(AuditEvent).where(AuditEvent.action == action)).scalars().all()

    sign_in_as(world["practitioner"])
    client.get(f"/cpd/{target['record']}")
    assert events("cpd.record_viewed") == []
    sign_in_as(world["programme_admin"])
    client.get(f"/cpd/{target['record']}")
    client.get(f"/cpd/people/{world['practitioner'].id}")
    viewed = events("cpd.record_viewed")
    assert [e.actor_id for e in viewed] == [world["programme_admin"].id]
    assert events("cpd.records_listed")[0].subject_id == str(world["practitioner"].id)
    response = client.get(f"/files/{target['file']}")
    assert response.status_code == 200 and response.headers["Content-Security-Policy"].startswith("sandbox")
    assert "attachment" in response.headers["Content-Disposition"]
    assert events("evidence.file_downloaded")


def test_the_assessor_hook_and_the_lock_hook(client, world, target, sign_in_as):
    record_id = target["record"]
    assessor = world["assessor"]

    def allocated(user, record):
        return user.id == assessor.id and record.id == record_id

    def sealed(record):
        return record.id == record_id

    permissions.register_cpd_record_viewer(allocated)
    permissions.register_cpd_record_lock(sealed)
    try:
        sign_in_as(assessor)
        assert client.get(f"/cpd/{record_id}").status_code == 200
        assert client.get(f"/files/{target['file']}").status_code == 200
        assert client.get(f"/cpd/{record_id}/edit").status_code == 403
        assert client.get(f"/cpd/{target['draft']}").status_code == 403
        sign_in_as(world["practitioner"])
        assert client.get(f"/cpd/{record_id}/edit").status_code == 403
        assert client.post(f"/cpd/{record_id}/delete").status_code == 403
        assert client.get(f"/cpd/{target['draft']}/edit").status_code == 200
    finally:
        permissions.CPD_RECORD_VIEWER_HOOKS.remove(allocated)
        permissions.CPD_RECORD_LOCKS.remove(sealed)


def test_cpd_in_the_navigation_for_practitioners_only(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    assert "/cpd/" in [a["href"] for a in parse(client.get("/account")).select(".govuk-service-navigation a")]
    sign_in_as(world["employer_admin"])
    assert "/cpd/" not in [a["href"] for a in parse(client.get("/account")).select(".govuk-service-navigation a")]
