"""The holder's downloads: the PDF (every field in its text, a QR code that scans to the verify URL, the same bytes
every time), the credential (.jwt checked independently against the published keys, and its decoded .json), and
the public keys and status lists."""
from __future__ import annotations

import io
import json
import re

from pypdf import PdfReader

from portal.certificates.pdf import render_certificate_pdf
from portal.certificates.snapshot import CertificateSnapshot

from ..conftest import parse, reload
from ..pdf_images import qr_codes_in_pdf
from .jose_check import independent_verify, payload_of
from .world import DIGEST


def _pdf(client, certificate) -> bytes:
    response = client.get(f"/certificates/{certificate.id}/certificate.pdf")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename=certificate-{certificate.code}.pdf"
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data()


def test_the_holder_sees_their_certificates(client, sign_in_as, people, certificate):
    sign_in_as(people["holder"])
    soup = parse(client.get("/certificates"))
    text = soup.get_text(" ", strip=True)
    assert certificate.code in text and "Year 1 (ASYE-equivalent)" in text and "Valid" in text
    links = {a["href"] for a in soup.select("a")}
    assert f"/certificates/{certificate.id}/certificate.pdf" in links
    assert f"/certificates/{certificate.id}/credential.jwt" in links
    assert "/certificates/record.zip" in links


def test_the_downloaded_pdf_carries_every_field(client, sign_in_as, people, certificate):
    sign_in_as(people["holder"])
    data = _pdf(client, certificate)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    flat = re.sub(r"\s+", " ", text)
    for value in ["Siân Llŷr", "SW123456", "Year 1 (ASYE-equivalent)", "ECF-5Y", "version 1",
                  "Five-year early career framework", "Cyngor Sir Ynys Môn", "1 September 2025 to 31 August 2026",
                  "14 September 2026", "Pass", "Assessor; Moderator; Employer admin", certificate.code,
                  f"https://portal.test/verify/{certificate.code}"]:
        assert value in flat, value
    assert DIGEST in re.sub(r"\s+", "", text)


def test_the_pdf_is_the_same_bytes_every_time_and_is_rendered_from_the_snapshot(client, sign_in_as, people,
                                                                                 certificate):
    sign_in_as(people["holder"])
    first, second = _pdf(client, certificate), _pdf(client, certificate)
    assert first == second
    stored = CertificateSnapshot.from_json(reload(certificate).snapshot_json)
    assert render_certificate_pdf(CertificateSnapshot.from_json(stored.to_json())) == first


def test_the_downloaded_pdfs_qr_code_scans_to_the_verify_url(client, sign_in_as, people, certificate):
    sign_in_as(people["holder"])
    assert qr_codes_in_pdf(_pdf(client, certificate)) == [f"https://portal.test/verify/{certificate.code}"]


def test_the_credential_verifies_with_the_published_keys_independently(app, client, sign_in_as, people,
                                                                       certificate):
    sign_in_as(people["holder"])
    response = client.get(f"/certificates/{certificate.id}/credential.jwt")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f"attachment; filename=credential-{certificate.code}.jwt"
    token = response.get_data(as_text=True)
    published = app.test_client().get("/.well-known/jwks.json")  # as anyone fetches it
    assert published.status_code == 200 and published.mimetype == "application/jwk-set+json"
    assert "public" in published.headers["Cache-Control"]
    jwks = json.loads(published.get_data(as_text=True))
    assert all("d" not in key for key in jwks["keys"])
    claims = independent_verify(token, jwks)
    vc = claims["vc"]
    assert claims["jti"] == vc["id"] == f"https://portal.test/verify/{certificate.code}"
    assert claims["iss"] == vc["issuer"]["id"] == "https://portal.test/"
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["credentialSubject"]["identifier"][0]["identityHash"] == "Siân Llŷr"
    assert [entry["statusListCredential"] for entry in vc["credentialStatus"]] == [
        "https://portal.test/credentials/status/revocation", "https://portal.test/credentials/status/suspension"]
    decoded = client.get(f"/certificates/{certificate.id}/credential.json")
    assert decoded.status_code == 200 and decoded.mimetype == "application/json"
    assert json.loads(decoded.get_data(as_text=True)) == payload_of(token)["vc"]


def test_status_lists_are_public_signed_and_cacheable(client, certificate):
    from .world import status_bits

    for purpose in ("revocation", "suspension"):
        bits = status_bits(client, purpose)
        assert len(bits) == 131_072 and bits.set_indexes() == []
        response = client.get(f"/credentials/status/{purpose}")
        assert response.headers["Cache-Control"] == "public, max-age=60"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        again = client.get(f"/credentials/status/{purpose}", headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
    assert client.get("/credentials/status/message").status_code == 404


def test_a_programme_admins_download_is_audited(client, sign_in_as, people, certificate):
    from sqlalchemy import select

    from portal.audit import AuditEvent
    from portal.db import session

    sign_in_as(people["prog"])
    assert _pdf(client, certificate)
    event = session().execute(select(AuditEvent).where(AuditEvent.action == "certificate.pdf_downloaded")).scalar_one()
    assert event.actor_id == people["prog"].id and event.subject_id == str(certificate.id)
