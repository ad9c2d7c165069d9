"""Stored evidence files: nothing orphaned on failure, deleted with their item, downloaded only when allowed."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from portal.db import session
from portal.evidence import services
from portal.evidence.access import register_file_owner
from portal.evidence.models import EvidenceFile
from portal.evidence.storage import get_storage
from portal.exceptions import DomainError
from portal.users.models import Role, User

from ..conftest import reload
from . import files


def upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name)


@pytest.fixture(autouse=True)
def owner(app):
    """Tests attach files to a user record: only that user may see them."""
    register_file_owner("TestOwner", load=lambda i: session().get(User, i),
                        can_view=lambda user, item: user.id == item.id)


def _rows() -> int:
    return session().execute(select(func.count(EvidenceFile.id))).scalar_one()


def test_store_and_download(client, make_user, sign_in_as):
    user = make_user(Role.PRACTITIONER)
    [row] = services.attach_uploads([upload(files.pdf(), "../My reflection.pdf")], attached_type="TestOwner",
                                    attached_id=user.id, by=reload(user))
    session().commit()
    assert get_storage().exists(row.storage_key)
    assert row.original_name == "My reflection.pdf" and row.storage_key not in row.original_name
    sign_in_as(user)
    response = client.get(f"/files/{row.id}")
    assert response.status_code == 200
    assert response.data == files.pdf()
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    from portal.audit import AuditEvent

    actions = session().execute(select(AuditEvent.action).where(AuditEvent.subject_type == "EvidenceFile",
                                                                AuditEvent.subject_id == str(row.id))).scalars().all()
    assert "evidence.file_downloaded" in actions


def test_download_refused_to_others_and_anonymous(app, client, make_user, sign_in_as):
    owner_user, other = make_user(Role.PRACTITIONER), make_user(Role.PRACTITIONER)
    [row] = services.attach_uploads([upload(files.png(), "a.png")], attached_type="TestOwner",
                                    attached_id=owner_user.id, by=reload(owner_user))
    session().commit()
    assert client.get(f"/files/{row.id}").status_code == 302
    sign_in_as(other)
    assert client.get(f"/files/{row.id}").status_code == 403
    assert client.get("/files/999999").status_code == 404


def test_a_bad_file_among_good_ones_stores_nothing(app, make_user):
    user = make_user(Role.PRACTITIONER)
    before_rows, before_files = _rows(), set(get_storage().list_keys())
    with pytest.raises(DomainError, match="must be a PDF"):
        services.attach_uploads([upload(files.pdf(), "ok.pdf"), upload(files.exe(), "bad.pdf")],
                                attached_type="TestOwner", attached_id=user.id, by=reload(user))
    session().rollback()
    assert _rows() == before_rows
    assert set(get_storage().list_keys()) == before_files


def test_rollback_after_storing_removes_the_file(app, make_user):
    user = make_user(Role.PRACTITIONER)
    before = set(get_storage().list_keys())
    [row] = services.attach_uploads([upload(files.pdf(), "x.pdf")], attached_type="TestOwner",
                                    attached_id=user.id, by=reload(user))
    assert get_storage().exists(row.storage_key)
    session().rollback()  # e.g. a later step of the request failed
    assert not get_storage().exists(row.storage_key)
    assert set(get_storage().list_keys()) == before


def test_failed_request_leaves_no_orphan(app, client, make_user):
    """The session is closed without a commit at the end of a failed request: the file goes too."""
    user = make_user(Role.PRACTITIONER)
    before = set(get_storage().list_keys())
    services.attach_uploads([upload(files.pdf(), "x.pdf")], attached_type="TestOwner", attached_id=user.id,
                            by=reload(user))
    session().close()
    assert set(get_storage().list_keys()) == before


def test_delete_removes_bytes_only_after_commit(app, make_user):
    user = make_user(Role.PRACTITIONER)
    rows = services.attach_uploads([upload(files.pdf(), "a.pdf"), upload(files.png(), "b.png")],
                                   attached_type="TestOwner", attached_id=user.id, by=reload(user))
    session().commit()
    keys = [r.storage_key for r in rows]
    services.delete_files_for("TestOwner", user.id, by=reload(user))
    assert all(get_storage().exists(k) for k in keys)
    session().rollback()  # the delete failed: nothing lost
    assert all(get_storage().exists(k) for k in keys) and _rows() >= 2
    services.delete_files_for("TestOwner", user.id, by=reload(user))
    session().commit()
    assert not any(get_storage().exists(k) for k in keys)


def test_count_limit_per_item(app, make_user):
    user = make_user(Role.PRACTITIONER)
    limit = app.config["EVIDENCE_MAX_FILES_PER_ITEM"]
    with pytest.raises(DomainError, match=f"up to {limit} files"):
        services.attach_uploads([upload(files.pdf(), f"{i}.pdf") for i in range(limit + 1)],
                                attached_type="TestOwner", attached_id=user.id, by=reload(user))


def test_orphan_sweep_lists_files_without_rows(app):
    storage = get_storage()
    storage.save("orphanKEY123", io.BytesIO(b"left by a crash"))
    try:
        assert "orphanKEY123" in services.orphaned_keys()
    finally:
        storage.delete("orphanKEY123")


def test_sweep_command_lists_and_removes_orphans(app, runner):
    storage = get_storage()
    storage.save("orphanCLI456", io.BytesIO(b"left by a crash"))
    listed = runner.invoke(args=["evidence", "sweep"])
    assert "orphanCLI456" in listed.output and storage.exists("orphanCLI456")
    runner.invoke(args=["evidence", "sweep", "--delete"])
    assert not storage.exists("orphanCLI456")
