"""In-app notifications and their e-mail: the notify contract, the list with its unread count, marking read, the
per-kind e-mail settings, and the casework events that notify."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.db import session
from portal.mail import OutboxMessage, memory_outbox, send_pending
from portal.notifications.kinds import KINDS, kinds_for
from portal.notifications.models import Notification, NotificationPreference
from portal.notifications.services import (
    email_preferences,
    mark_all_read,
    notify,
    path_for,
    set_email_preferences,
    unread_count,
)
from portal.users.models import Role, User, UserStatus
from tests.conftest import parse


def count(model) -> int:
    return session().execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def person(make_user):
    return session().get(User, make_user(Role.PRACTITIONER, name="Pat Practitioner", email="pat@example.org").id)


# ---------------------------------------------------------------------------------------------- the contract
def test_notify_adds_a_notification_and_queues_an_email_in_the_same_transaction(app, person):
    link = path_for("cpd.index")
    note = notify(person, "cpd_due", "Record your CPD by 30 November 2026", link)
    assert note.user_id == person.id and note.kind == "cpd_due" and note.link == link and note.read_at is None
    message = session().get(OutboxMessage, note.outbox_message_id)
    assert message.to_address == "pat@example.org" and message.subject == "Record your CPD by 30 November 2026"
    assert "Record your CPD by 30 November 2026" in message.body_text
    assert f"https://portal.test{link}" in message.body_text
    assert "https://portal.test/account/notifications" in message.body_text
    session().commit()
    assert send_pending()["sent"] == 1 and memory_outbox[0]["to"] == "pat@example.org"


def test_a_rolled_back_change_leaves_no_notification_and_no_email(app, person):
    before = (count(Notification), count(OutboxMessage))
    notify(person, "review_due", "Your review at 3 months is due", "/")
    session().rollback()
    assert (count(Notification), count(OutboxMessage)) == before
    assert send_pending()["sent"] == 0


def test_email_off_for_a_kind_still_notifies_in_the_list(app, person):
    set_email_preferences(person, {"review_due": False}, by=person)
    note = notify(person, "review_due", "Your review is due")
    assert note.outbox_message_id is None and note.id is not None
    assert notify(person, "cpd_due", "CPD").outbox_message_id is not None  # other kinds still e-mailed


def test_disabled_accounts_get_no_email(app, person):
    person.status = UserStatus.DISABLED
    assert notify(person, "review_due", "Your review is due").outbox_message_id is None


@pytest.mark.parametrize(("kind", "link"), [("no_such_kind", "/"), ("review_due", "https://evil.example/"),
                                            ("review_due", "//evil.example/x")])
def test_unknown_kinds_and_outside_links_are_refused(app, person, kind, link):
    with pytest.raises(ValueError):
        notify(person, kind, "Hello", link)


def test_nobody_to_notify_does_nothing(app):
    assert notify(None, "review_due", "Nobody") is None


def test_email_templates_and_context_pass_through(app, person, make_user):
    observer = make_user(Role.SUPERVISOR, name="Sue Supervisor")
    note = notify(person, "decision_made", "A decision was made", "/", email_subject="Your stage decision",
                  email_template="role_granted", role_label="Assessor", organisation_name="Northshire",
                  observer=observer)
    message = session().get(OutboxMessage, note.outbox_message_id)
    assert message.subject == "Your stage decision" and "Role: Assessor" in message.body_text


def test_every_documented_kind_is_registered_with_an_audience():
    expected = {"verification_requested", "verification_decided", "feedback_received", "observation_recorded",
                "review_due", "stage_due", "cpd_due", "verification_waiting", "submission_allocated",
                "marking_overdue", "decision_made", "appeal_lodged", "certificate_issued"}
    assert expected <= set(KINDS)
    assert all(kind.audience for kind in KINDS.values())
    # everyone may be invited to, or given, a role
    assert {k.code for k in kinds_for({Role.ASSESSOR})} == {"submission_allocated", "marking_overdue",
                                                            "role_invitation", "role_granted"}


# -------------------------------------------------------------------------------------------------- the pages
def test_the_list_shows_the_unread_count_and_marks_read(client, sign_in_as, person):
    first = notify(person, "review_due", "Your review at 3 months is due", path_for("cpd.index")).id
    second = notify(person, "cpd_due", "Record your CPD").id
    notify(person, "cpd_due", "Another one")
    session().commit()
    sign_in_as(person)
    soup = parse(client.get("/notifications"))
    assert soup.select_one("#unread-count").get_text(strip=True) == "You have 3 unread notifications."
    nav = [a.get_text(" ", strip=True) for a in soup.select(".govuk-service-navigation__item a")]
    assert "Notifications (3 unread)" in nav
    assert [li["data-unread"] for li in soup.select("[data-notification]")] == ["yes", "yes", "yes"]
    # opening one follows its link and marks it read
    response = client.get(f"/notifications/{first}/open")
    assert response.status_code == 302 and response.headers["Location"] == "/cpd/"
    response = client.post(f"/notifications/{second}/read")
    assert response.status_code == 302
    soup = parse(client.get("/notifications"))
    assert soup.select_one("#unread-count").get_text(strip=True) == "You have 1 unread notification."
    assert "Notifications (1 unread)" in [a.get_text(" ", strip=True)
                                          for a in soup.select(".govuk-service-navigation__item a")]
    client.post("/notifications/read-all")
    soup = parse(client.get("/notifications"))
    assert soup.select_one("#unread-count").get_text(strip=True) == "You have no unread notifications."
    assert "Notifications" in [a.get_text(strip=True) for a in soup.select(".govuk-service-navigation__item a")]


def test_the_list_pages_by_keyset(client, sign_in_as, person, app):
    for n in range(30):
        notify(person, "cpd_due", f"Message {n:02d}")
    session().commit()
    sign_in_as(person)
    soup = parse(client.get("/notifications"))
    items = soup.select("[data-notification]")
    assert len(items) == app.config["PAGE_SIZE"] and "Message 29" in items[0].get_text()
    following = soup.select_one(".govuk-pagination__next a")["href"]
    rest = parse(client.get(following)).select("[data-notification]")
    assert len(rest) == 5 and "Message 00" in rest[-1].get_text()


def test_mark_all_read_only_touches_your_own(app, person, make_user):
    other = session().get(User, make_user(Role.PRACTITIONER).id)
    notify(person, "cpd_due", "Mine")
    notify(other, "cpd_due", "Theirs")
    assert mark_all_read(person) == 1
    assert unread_count(person) == 0 and unread_count(other) == 1


def test_email_settings_page_saves_choices_per_kind(client, sign_in_as, person):
    sign_in_as(person)
    soup = parse(client.get("/account/notifications"))
    boxes = {box["value"]: box.has_attr("checked") for box in soup.select("input[name='email']")}
    assert set(boxes) == {k.code for k in kinds_for({Role.PRACTITIONER})}
    assert all(boxes.values())
    chosen = [code for code in boxes if code not in {"review_due", "cpd_due"}]
    response = client.post("/account/notifications", data={"email": chosen})
    assert response.status_code == 302
    prefs = email_preferences(session().get(User, person.id))
    assert prefs["review_due"] is False and prefs["cpd_due"] is False and prefs["feedback_received"] is True
    soup = parse(client.get("/account/notifications"))
    assert not soup.select_one("input[value='review_due']").has_attr("checked")
    # turning one back on updates the stored choice
    client.post("/account/notifications", data={"email": [*chosen, "review_due"]})
    assert email_preferences(session().get(User, person.id))["review_due"] is True
    assert count(NotificationPreference) == 2


def test_a_made_up_kind_in_the_settings_form_is_an_error_not_a_crash(client, sign_in_as, person):
    sign_in_as(person)
    response = client.post("/account/notifications", data={"email": ["no_such_kind"]})
    assert response.status_code == 200
    assert parse(response).select_one(".govuk-error-summary")


def test_the_account_page_links_to_the_settings(client, sign_in_as, person):
    sign_in_as(person)
    soup = parse(client.get("/account"))
    assert soup.select_one("a[href='/account/notifications']")


# ---------------------------------------------------------------------------------------------- casework events
@pytest.fixture
def casework_world(make_org, make_user, app):
    from portal.enrolments.services import enrol, london_today
    from portal.framework.models import ProgrammeVersion
    from portal.framework.services import load_builtin
    from portal.users.models import Organisation

    north = make_org("Northshire", "NORTH")
    prac = make_user(Role.PRACTITIONER, north, name="Pat Practitioner", swe_number="SW300001")
    sup = make_user(Role.SUPERVISOR, north, name="Sue Supervisor", swe_number="SW300002")
    load_builtin(by=None)
    sess = session()
    version = sess.execute(select(ProgrammeVersion).where(ProgrammeVersion.code == "ECF-5Y")).scalars().first()
    enrolment = enrol(practitioner=sess.get(User, prac.id), organisation=sess.get(Organisation, north.id),
                      programme_version=version, start_date=london_today() - dt.timedelta(days=100), fte=1,
                      supervisor=sess.get(User, sup.id), by=None)
    sess.commit()
    return {"prac": sess.get(User, prac.id), "sup": sess.get(User, sup.id), "enrolment": enrolment}


def test_casework_events_notify_in_app_and_by_email(casework_world):
    from portal.casework import services as casework
    from portal.enrolments.services import london_today

    prac, sup = casework_world["prac"], casework_world["sup"]
    item = casework.create_case_reflection(
        casework_world["enrolment"], by=prac, occurred_on=london_today(), case_reference="Case 3",
        category="child_protection", activity="home_visit", role="observer",
        texts={"account": "Visited Child A.", "analysis": "Safe.", "reflection": "Listen first."},
        statements=["KSS-CF.1"])
    casework.request_verification(item, by=prac)
    casework.verify_item(item, by=sup, confirmed=casework.CONFIRMATIONS)
    rows = session().execute(select(Notification).order_by(Notification.id)).scalars().all()
    assert [(n.user_id, n.kind) for n in rows] == [(sup.id, "verification_requested"),
                                                   (prac.id, "verification_decided")]
    assert rows[0].message.startswith("Pat Practitioner asked you to verify a case reflection of ")
    assert rows[1].message.startswith("Sue Supervisor verified your case reflection of ")
    assert rows[0].link == f"/casework/items/{item.id}"
    assert "Visited Child A" not in rows[0].message + rows[1].message  # never the evidence text
    subjects = [session().get(OutboxMessage, n.outbox_message_id).subject for n in rows]
    assert subjects == ["Casework evidence is waiting for you to verify", "Casework evidence has been verified"]
