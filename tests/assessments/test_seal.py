"""Submitting: the rules checked first (requirements or the employer's agreement, the anonymisation guard, evidence
and statement), then the seal: a sealed version that never changes, a digest that can be recomputed, and live
items locked while the portfolio is with the assessors."""
from __future__ import annotations

import pytest

from portal.assessments import sealing, services
from portal.assessments.manifest import Manifest, build_manifest, verify_manifest
from portal.assessments.models import SubmissionVersion
from portal.assessments.states import SubmissionState as S
from portal.db import session
from portal.enrolments.models import Enrolment

from .conftest import TEXTS, today


def _version(flow, submission_id: int, number: int = 1) -> SubmissionVersion:
    from portal.assessments.queries import version_of

    return version_of(flow.sub(submission_id), number)


def test_unmet_requirements_without_agreement_are_refused(flow, world, items, as_user):
    submission = services.start_submission(session().get(Enrolment, world["enrolment"].id), "Y1",
                                           by=as_user("practitioner"))
    services.save_working_copy(submission, by=as_user("practitioner"), statement="My year.",
                               chosen=[("casework", items.reflection())])
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit(submission, by=as_user("practitioner"), today=today())
    assert any("not met" in p and "ask your employer to agree" in p for p in refused.value.problems)
    session().rollback()
    assert flow.sub(submission.id).state is S.DRAFT
    assert session().query(SubmissionVersion).count() == 0


def test_the_employer_agreement_is_recorded_and_sealed(flow, as_user):
    submission_id = flow.submitted()
    submission = flow.sub(submission_id)
    assert submission.agreement_by_id == as_user("employer_admin").id and submission.agreement_at
    assert "learning-agreement" in submission.agreement_unmet
    agreement = next(i for i in _version(flow, submission_id).items if i.kind == sealing.AGREEMENT_KIND)
    assert agreement.content["reason"].startswith("Reviews are booked") and agreement.content["unmet"]


def test_a_practitioner_cannot_record_their_own_agreement(flow, as_user):
    submission_id = flow.draft(with_items=False)
    with pytest.raises(Exception, match="admin of the practitioner's employer"):
        services.record_agreement(flow.sub(submission_id), by=as_user("practitioner"), reason="Please.",
                                  today=today())


def test_an_unresolved_guard_finding_is_refused(flow, world, items, as_user):
    texts = dict(TEXTS, account="I visited Jayden Smith at 14 Elm Road, NE1 4XY, with his mother.")
    item_id = items.reflection(verified=False, texts=texts)
    from portal.casework.guard import unresolved_findings
    from portal.casework.models import CaseworkItem

    assert unresolved_findings(session().get(CaseworkItem, item_id))
    submission_id = flow.draft(with_items=False)
    submission = flow.sub(submission_id)
    # a flagged item cannot be verified, so it cannot be chosen either
    with pytest.raises(Exception, match="not verified"):
        services.save_working_copy(submission, by=as_user("practitioner"), statement="My year.",
                                   chosen=[("casework", item_id)])
    session().rollback()
    services.save_working_copy(flow.sub(submission_id), by=as_user("practitioner"),
                               statement="I worked with Jayden Smith at Elm Road Primary School.",
                               chosen=[("casework", items.reflection())])
    services.record_agreement(flow.sub(submission_id), by=as_user("employer_admin"), reason="Agreed.", today=today())
    session().commit()
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit(flow.sub(submission_id), by=as_user("practitioner"), today=today())
    assert any("summary statement may identify" in p for p in refused.value.problems)
    session().rollback()
    assert flow.sub(submission_id).state is S.DRAFT


def test_a_verified_item_edited_since_loses_its_place(flow, items, as_user):
    """Editing a verified item voids its verification, so the working copy no longer qualifies."""
    from portal.casework import services as casework
    from portal.casework.models import CaseworkItem

    submission_id = flow.draft()
    chosen_item = next(i for kind, i in flow.sub(submission_id).chosen_items if kind == "casework")
    casework.update_item(session().get(CaseworkItem, chosen_item), by=as_user("practitioner"),
                         values={"reflection": "A new reflection."})
    session().commit()
    readiness = services.readiness(flow.sub(submission_id), today())
    assert any("not verified" in p for p in readiness.problems)


def test_nothing_chosen_and_no_statement_are_refused(flow, as_user):
    submission_id = flow.draft(with_items=False)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit(flow.sub(submission_id), by=as_user("practitioner"), today=today())
    assert "Choose the evidence to include" in refused.value.problems
    assert "Write your summary statement" in refused.value.problems


def test_someone_elses_evidence_cannot_be_chosen(flow, world, as_user):
    from portal.cpd.models import CpdType
    from portal.cpd.services import CpdAnswers, create_record

    other = create_record(as_user("other_practitioner"), CpdAnswers(
        title="Theirs", activity_type=CpdType.READING, start_date=today(), end_date=today(), hours=1,
        participatory_hours=0, description="d", learning="l", impact_practice="p", impact_people="q"),
        complete=True, by=as_user("other_practitioner"), today=today())
    submission_id = flow.draft(with_items=False)
    with pytest.raises(Exception, match="your own CPD records only"):
        services.save_working_copy(flow.sub(submission_id), by=as_user("practitioner"), statement="Mine.",
                                   chosen=[("cpd_record", other.id)])


def test_the_seal_keeps_a_copy_that_live_edits_do_not_change(flow, as_user):
    from portal.cpd.models import CpdRecord
    from portal.cpd.services import CpdAnswers, update_record

    submission_id = flow.submitted()
    version = _version(flow, submission_id)
    digest = version.digest
    record_id = next(i for kind, i in flow.sub(submission_id).chosen_items if kind == "cpd_record")
    sealed_before = next(i.content for i in version.items if i.kind == "cpd_record")
    # the service refuses nothing here (the lock is the pages' rule), so the live record changes ...
    record = session().get(CpdRecord, record_id)
    answers = CpdAnswers.of(record)
    answers.learning = "Something else entirely."
    update_record(record, answers, complete=True, by=as_user("practitioner"), today=today())
    session().commit()
    assert session().get(CpdRecord, record_id).learning == "Something else entirely."
    # ... and the sealed copy and its digest do not
    session().expire_all()
    version = _version(flow, submission_id)
    assert version.digest == digest
    assert next(i.content for i in version.items if i.kind == "cpd_record") == sealed_before
    assert sealed_before["text"]["learning"] == "Learnt about drift."
    # recomputing the digest from the sealed content gives the stored one
    stored = sealing.stored_manifest(version)
    assert verify_manifest(stored)
    rebuilt = build_manifest(item["content"] for item in stored["items"])
    assert rebuilt.digest == digest == Manifest.from_dict(stored).digest
    # and resealing the live items now would give another digest
    live = sealing.load_chosen(flow.sub(submission_id).chosen_items)
    from portal.assessments.sealing import seal_cpd_record
    from portal.cpd import FILE_OWNER
    from portal.evidence.services import files_for

    changed = seal_cpd_record(live.cpd[0], files_for(FILE_OWNER, [record_id])[record_id])
    assert changed != sealed_before


def test_a_tampered_sealed_copy_is_detected(flow):
    submission_id = flow.submitted()
    version = _version(flow, submission_id)
    item = next(i for i in version.items if i.kind == "statement")
    item.content = {**item.content, "text": "Something I never wrote."}
    session().flush()
    assert not sealing.verify_version(version)


def test_sealed_live_items_are_locked_while_assessed(flow, client, sign_in_as, world, as_user):
    from portal import permissions
    from portal.casework.models import CaseworkItem
    from portal.cpd.models import CpdRecord

    submission_id = flow.submitted()
    chosen = {kind: i for kind, i in flow.sub(submission_id).chosen_items}
    practitioner = as_user("practitioner")
    item, record = session().get(CaseworkItem, chosen["casework"]), session().get(CpdRecord, chosen["cpd_record"])
    item_id, record_id = item.id, record.id
    assert permissions.is_casework_locked(item) and permissions.is_cpd_record_locked(record)
    assert not permissions.can_edit_casework(practitioner, item)
    assert not permissions.can_edit_cpd_record(practitioner, record)
    sign_in_as(world["practitioner"])
    assert client.get(f"/cpd/{record_id}/edit").status_code == 403
    from portal.casework.services import update_item

    with pytest.raises(Exception, match="part of a submission"):
        update_item(session().get(CaseworkItem, item_id), by=as_user("practitioner"),
                    values={"reflection": "Changed."})
    session().rollback()
    # referred back: the practitioner can put things right again; the sealed copy stays
    flow_sub = flow.sub(submission_id)
    services.allocate_assessor(flow_sub, as_user("south_assessor"), by=as_user("employer_admin"), today=today())
    services.refer(flow.sub(submission_id), by=as_user("south_assessor"), reason="Please check Case 14.")
    session().commit()
    assert not permissions.is_cpd_record_locked(session().get(CpdRecord, record_id))
    assert client.get(f"/cpd/{record_id}/edit").status_code == 200


def test_a_resubmission_seals_a_new_version_and_keeps_the_first(flow, items, as_user):
    from portal.assessments.manifest import compare_manifests

    submission_id = flow.assessing()
    services.refer(flow.sub(submission_id), by=as_user("south_assessor"), reason="Add your CPD with a peer.")
    session().commit()
    submission = flow.sub(submission_id)
    chosen = [*submission.chosen_items, ["cpd_record", items.cpd(title="Peer discussion", peer=True)]]
    services.save_working_copy(submission, by=as_user("practitioner"), chosen=chosen, statement=submission.statement)
    services.resubmit(flow.sub(submission_id), by=as_user("practitioner"), today=today(), note="Added my CPD.")
    session().commit()
    first, second = _version(flow, submission_id, 1), _version(flow, submission_id, 2)
    assert flow.sub(submission_id).version == 2 and first.digest != second.digest
    diff = compare_manifests(sealing.manifest_of(first), sealing.manifest_of(second))
    assert [kind for kind, _ in diff.added] == ["cpd_record"]
    assert sealing.verify_version(first) and sealing.verify_version(second)


def test_sealed_files_are_rehashed(flow, world, items, as_user):
    import io

    from werkzeug.datastructures import FileStorage

    from portal.cpd.models import CpdRecord
    from portal.cpd.services import CpdAnswers, update_record

    submission_id = flow.draft()
    record_id = next(i for kind, i in flow.sub(submission_id).chosen_items if kind == "cpd_record")
    record = session().get(CpdRecord, record_id)
    update_record(record, CpdAnswers.of(record), complete=True, by=as_user("practitioner"), today=today(),
                  uploads=[FileStorage(io.BytesIO(b"Notes from the course.\n"), filename="notes.txt")])
    session().commit()
    services.submit(flow.sub(submission_id), by=as_user("practitioner"), today=today())
    session().commit()
    version = _version(flow, submission_id)
    sealed = next(i.content for i in version.items if i.kind == "cpd_record")
    assert len(sealed["files"]) == 1 and len(sealed["files"][0]["sha256"]) == 64
    assert sealing.file_problems(version) == []
