"""``portal certificates``: the signing key (created once, 0600, rotation keeps old keys published), issuing what
is pending (resumable, idempotent), and reissuing a template's certificates."""
from __future__ import annotations

import base64
import json
import re
import stat

import pytest
from sqlalchemy import func, select

from portal.certificates.models import Certificate, CertificateStatus
from portal.db import session

from ..conftest import reload
from .jose_check import independent_verify
from .world import SignOff


@pytest.fixture
def key_dir(app, tmp_path):
    """A fresh key folder for the test; the suite's key is loaded again afterwards."""
    from portal.certificates.signing import reset_keyring

    before = app.config["CREDENTIAL_KEY_DIR"]
    app.config["CREDENTIAL_KEY_DIR"] = str(tmp_path / "credential-keys")
    reset_keyring(app)
    yield tmp_path / "credential-keys"
    app.config["CREDENTIAL_KEY_DIR"] = before
    reset_keyring(app)


def test_init_keys_writes_a_private_key_once_and_rotation_keeps_the_old_one_published(app, runner, client, key_dir,
                                                                                       certificate):
    result = runner.invoke(args=["certificates", "init-keys"])
    assert result.exit_code == 0, result.output
    key = key_dir / "current.pem"
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first_kid = re.search(r"key (\S+) in", result.output).group(1)
    again = runner.invoke(args=["certificates", "init-keys"])
    assert "Kept the existing signing key" in again.output and first_kid in again.output

    from portal.certificates.issuing import issue_for_sign_off

    (signed_before,) = issue_for_sign_off(SignOff(enrolment_id=certificate.enrolment_id, stage_code="Y2"), by=None)
    token = signed_before.credential_jws
    session().commit()
    rotated = runner.invoke(args=["certificates", "init-keys", "--rotate"])
    assert rotated.exit_code == 0 and f"Retired {first_kid}" in rotated.output
    assert (key_dir / "retired" / f"{first_kid}.pem").exists()
    jwks = json.loads(client.get("/.well-known/jwks.json").get_data(as_text=True))
    assert len(jwks["keys"]) == 2 and jwks["keys"][1]["kid"] == first_kid
    assert independent_verify(token, jwks)  # signed before the rotation, still verifies
    status_list = client.get("/credentials/status/revocation").get_data(as_text=True)
    assert independent_verify(status_list, jwks)
    header = json.loads(base64.urlsafe_b64decode(status_list.split(".")[0] + "=="))
    assert header["kid"] == jwks["keys"][0]["kid"]  # the lists were re-signed with the new key


def test_production_refuses_to_sign_without_a_key(app, client, key_dir, people):
    from portal.audit import AuditEvent
    from portal.certificates.issuing import on_sign_off
    from portal.certificates.signing import SigningKeysMissing, keyring

    app.config["ENV_NAME"] = "production"
    try:
        with pytest.raises(SigningKeysMissing, match="init-keys"):
            keyring(app)
        assert client.get("/.well-known/jwks.json").status_code == 503  # unavailable, not a crash
        # a sign-off still goes through; its certificate waits for `issue-pending`
        assert on_sign_off(SignOff(enrolment_id=people["holder_enrolment"].id)) == []
        deferred = session().execute(select(AuditEvent.details).where(
            AuditEvent.action == "certificate.issue_deferred")).scalar_one()
        assert "init-keys" in deferred["reason"]
    finally:
        app.config["ENV_NAME"] = "test"


def test_issue_pending_issues_what_is_missing_and_is_idempotent(runner, people, monkeypatch):
    from portal.certificates import queries

    enrolment_id = people["holder_enrolment"].id
    sign_offs = [SignOff(enrolment_id=enrolment_id, stage_code="Y1"),
                 SignOff(enrolment_id=enrolment_id, stage_code="Y2", outcome="FAIL"),
                 SignOff(enrolment_id=enrolment_id, stage_code="Y9"),  # cannot be certified: reported
                 SignOff(enrolment_id=enrolment_id, stage_code="AWARD", is_award=True)]
    sign_offs.sort(key=lambda s: s.id)
    monkeypatch.setattr(queries, "count_sign_offs", lambda: len(sign_offs))
    monkeypatch.setattr(queries, "sign_offs_after",
                        lambda last_id, limit: [s for s in sign_offs if s.id > last_id][:limit])
    result = runner.invoke(args=["certificates", "issue-pending"])
    assert result.exit_code == 1
    assert "2 certificate(s) issued" in result.output and "no stage Y9" in result.output
    assert session().execute(select(func.count(Certificate.id))).scalar_one() == 2
    again = runner.invoke(args=["certificates", "issue-pending"])
    assert "0 certificate(s) issued" in again.output
    assert session().execute(select(func.count(Certificate.id))).scalar_one() == 2


def test_reissue_a_templates_certificates(runner, people, issue):
    first = issue("Y1")[0]
    second = issue("Y1", who="other")[0]
    result = runner.invoke(args=["certificates", "reissue", "--template", "ECF-5Y", "--reason", "New layout"])
    assert result.exit_code == 0, result.output
    assert "2 certificate(s) reissued" in result.output
    resume = re.search(r"--up-to-id (\d+)", result.output).group(1)
    for old in (first, second):
        row = reload(old)
        assert row.status == CertificateStatus.SUPERSEDED and row.status_reason == "New layout"
        assert row.superseded_by.status == CertificateStatus.VALID
    again = runner.invoke(args=["certificates", "reissue", "--template", "ECF-5Y", "--up-to-id", resume])
    assert "0 certificate(s) reissued" in again.output  # resuming the same run does nothing twice
