"""Programme admins change statuses through the pages: each change needs a reason, follows the transition table,
is audited and kept in the certificate's history; the register can be searched."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.certificates.models import CertificateEvent, CertificateStatus
from portal.db import session

from ..conftest import parse, reload
from .world import status_bits


def test_suspend_reinstate_and_revoke_through_the_pages(client, sign_in_as, people, certificate):
    sign_in_as(people["prog"])
    page = parse(client.get(f"/certificates/{certificate.id}"))
    buttons = {a.get_text(strip=True) for a in page.select("a.govuk-button")}
    assert buttons == {"Suspend certificate", "Revoke certificate", "Reissue certificate"}

    response = client.post(f"/certificates/{certificate.id}/suspend", data={"reason": "Concern raised by employer"})
    assert response.status_code == 302
    assert reload(certificate).status == CertificateStatus.SUSPENDED
    assert status_bits(client, "suspension").get(certificate.suspension_index)
    page = parse(client.get(f"/certificates/{certificate.id}"))
    assert {a.get_text(strip=True) for a in page.select("a.govuk-button")} == {"Reinstate certificate",
                                                                               "Revoke certificate"}
    assert "Concern raised by employer" in page.get_text()

    client.post(f"/certificates/{certificate.id}/reinstate", data={"reason": "Not upheld"})
    assert reload(certificate).status == CertificateStatus.VALID
    client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "Found to be obtained dishonestly"})
    row = reload(certificate)
    assert row.status == CertificateStatus.REVOKED and row.status_changed_by_id == people["prog"].id
    assert status_bits(client, "revocation").get(certificate.revocation_index)
    assert not status_bits(client, "suspension").get(certificate.suspension_index)

    actions = [e.action.value for e in session().execute(select(CertificateEvent).where(
        CertificateEvent.certificate_id == certificate.id).order_by(CertificateEvent.id)).scalars()]
    assert actions == ["issued", "suspended", "reinstated", "revoked"]
    audited = session().execute(select(AuditEvent.action).where(AuditEvent.subject_type == "Certificate",
                                                                AuditEvent.actor_id == people["prog"].id)).scalars()
    assert list(audited) == ["certificate.suspended", "certificate.reinstated", "certificate.revoked"]
    # revoked is final: no buttons, and the action pages refuse
    assert not parse(client.get(f"/certificates/{certificate.id}")).select("a.govuk-button")
    response = client.post(f"/certificates/{certificate.id}/reinstate", data={"reason": "Try"})
    assert response.status_code == 302 and reload(certificate).status == CertificateStatus.REVOKED


def test_reissue_through_the_page(client, sign_in_as, people, certificate):
    sign_in_as(people["prog"])
    response = client.post(f"/certificates/{certificate.id}/reissue", data={"reason": "Name changed"})
    assert response.status_code == 302
    old = reload(certificate)
    assert old.status == CertificateStatus.SUPERSEDED
    assert response.headers["Location"] == f"/certificates/{old.superseded_by_id}"


@pytest.mark.parametrize("reason, message", [("", "Enter the reason"), ("x" * 2001, "2,000 characters or fewer")])
def test_a_reason_is_required(client, sign_in_as, people, certificate, reason, message):
    sign_in_as(people["prog"])
    soup = parse(client.post(f"/certificates/{certificate.id}/revoke", data={"reason": reason}))
    assert soup.title.get_text().startswith("Error: ")
    assert message in soup.select_one(".govuk-error-summary").get_text()
    assert reload(certificate).status == CertificateStatus.VALID


def test_unknown_actions_and_certificates_are_not_found(client, sign_in_as, people, certificate):
    sign_in_as(people["prog"])
    assert client.get(f"/certificates/{certificate.id}/delete").status_code == 404
    assert client.get("/certificates/999999/revoke").status_code == 404


def test_the_register_searches_by_code_number_name_and_status(client, sign_in_as, people, issue):
    first = issue("Y1")[0]
    other = issue("Y1", who="other")[0]
    sign_in_as(people["prog"])

    def codes(query: str) -> set[str]:
        soup = parse(client.get(f"/admin/certificates?{query}"))
        return {a.get_text(strip=True) for a in soup.select("tbody a")}

    assert codes("") == {first.code, other.code}
    assert codes(f"q={first.code.lower()}") == {first.code}
    assert codes("q=sw 654321") == {other.code}
    assert codes("q=olu") == {other.code}
    assert codes("status=revoked") == set()
    assert codes("status=nonsense") == {first.code, other.code}
