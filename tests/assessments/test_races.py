"""Real races, not mocks: two threads, each with its own session and database connection, released together by a
``threading.Barrier``, act on the same marking or the same draft. Exactly one wins; the other gets the service's
clear refusal (never a database error), and the database holds the winner's work only.

These tests commit for real, so they run on a database of their own (a SQLite file, or a schema of the PostgreSQL
database named by ``TEST_DATABASE_URL``) instead of the rolled-back test transaction, and drop it afterwards.
"""
from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from portal.db import build_engine, db, session, session_engine
from portal.exceptions import DomainError

from ..conftest import IS_POSTGRES, TEST_DATABASE_URL, start_session
from .conftest import today

ROUNDS = 5


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """Replaces the shared rolled-back transaction: these tests need commits that other connections can see."""
    yield


@pytest.fixture
def race_app(app: Any, tmp_path: Path) -> Iterator[Any]:
    """The test app, its session bound for this test to a freshly migrated database of its own (committed for
    real), restored and dropped afterwards."""
    from portal.mail import memory_outbox
    from portal.migrations_util import upgrade

    schema = f"races_{uuid.uuid4().hex[:8]}"
    if IS_POSTGRES:
        admin = build_engine(TEST_DATABASE_URL)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in TEST_DATABASE_URL else "?"
        url = f"{TEST_DATABASE_URL}{sep}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'races.sqlite3'}"
    upgrade(url)
    engine = build_engine(url)
    saved = db.engine
    db.session.remove()
    db.engine = engine
    db.session_factory.configure(bind=session_engine(engine))
    try:
        with app.app_context():
            yield app
    finally:
        db.session.remove()
        db.engine = saved
        db.session_factory.configure(bind=session_engine(saved))
        engine.dispose()
        memory_outbox.clear()
        if IS_POSTGRES:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            admin.dispose()


def race(app: Any, *contenders: Callable[[], Callable[[], Any]]) -> list[Any]:
    """Run each contender in its own thread, app context and session: it loads what it needs (returning the action)
    as a page opened earlier would, all wait at the barrier, then act at the same moment and commit. Returns, per contender, the action's result or
    the exception it raised (after rolling its session back)."""
    barrier = threading.Barrier(len(contenders))
    results: list[Any] = [None] * len(contenders)

    def run(index: int, prepare: Callable[[], Callable[[], Any]]) -> None:
        with app.app_context():
            try:
                action = prepare()
                session().commit()  # what each read is in hand (as a form opened earlier), no transaction open
            except BaseException as error:  # noqa: BLE001 - reported to the test
                barrier.abort()
                results[index] = error
                return
            try:
                barrier.wait(timeout=30)
                results[index] = action()
                session().commit()
            except BaseException as error:  # noqa: BLE001 - reported to the test
                session().rollback()
                results[index] = error

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a contender is stuck"
    return results


def winner_and_loser(results: list[Any]) -> tuple[int, BaseException]:
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1, f"exactly one contender must lose: {results!r}"
    return next(n for n, r in enumerate(results) if not isinstance(r, BaseException)), errors[0]


# -------------------------------------------------------------------------------------------------- the marking
def test_two_saves_of_the_same_marking_one_wins(race_app, flow, world):
    from portal.assessments import services
    from portal.assessments.marking import requirements_of
    from portal.assessments.models import Marking, Submission
    from portal.users.models import User

    submission_id = flow.assessing()
    marking = services.open_marking(flow.sub(submission_id), by=session().get(User, world["south_assessor"].id))
    session().commit()
    marking_id = marking.id
    codes = [r.code for r in requirements_of(flow.sub(submission_id))]

    for round_ in range(ROUNDS):
        expected = session().get(Marking, marking_id, populate_existing=True).lock_version
        session().rollback()

        def contender(n: int, expected: int = expected, round_: int = round_) -> Callable[[], Callable[[], Any]]:
            def prepare() -> Callable[[], Any]:
                submission = session().get(Submission, submission_id)
                assessor = session().get(User, world["south_assessor"].id)
                data = services.MarkingInput(levels={code: ("met", f"tab {n}") for code in codes},
                                             feedback=f"Round {round_}: saved from tab {n}.")
                services.open_marking(submission, by=assessor)  # both have the form open at the same version
                return lambda: services.save_marking(submission, by=assessor, data=data,
                                                     expected_lock_version=expected).id
            return prepare

        results = race(race_app, contender(0), contender(1))
        winner, error = winner_and_loser(results)
        assert isinstance(error, services.MarkingConflict), f"round {round_}: {error!r}"
        assert "your changes have not been saved" in str(error)
        stored = session().get(Marking, marking_id, populate_existing=True)
        assert stored.lock_version == expected + 1
        assert stored.feedback == f"Round {round_}: saved from tab {winner}."
        assert {v["feedback"] for v in stored.levels.values()} == {f"tab {winner}"}
        session().rollback()


# -------------------------------------------------------------------------------------------------- the draft
def _open_and_sealed(enrolment_id: int) -> tuple[int, int]:
    from portal.assessments.models import Submission, SubmissionVersion
    from portal.assessments.states import SubmissionState as S

    open_count = session().scalar(select(func.count()).select_from(Submission).where(
        Submission.enrolment_id == enrolment_id, Submission.stage_code == "Y1", Submission.state != S.WITHDRAWN))
    sealed = session().scalar(select(func.count()).select_from(SubmissionVersion).join(Submission).where(
        Submission.enrolment_id == enrolment_id, Submission.state != S.WITHDRAWN))
    return open_count, sealed


def test_two_submits_of_the_same_draft_one_wins(race_app, flow, world):
    from portal.assessments import services
    from portal.assessments.models import Submission
    from portal.assessments.states import SubmissionState as S
    from portal.users.models import User

    enrolment_id = world["enrolment"].id
    for round_ in range(ROUNDS):
        submission_id = flow.draft()

        def contender(submission_id: int = submission_id) -> Callable[[], Any]:
            submission = session().get(Submission, submission_id)
            practitioner = session().get(User, world["practitioner"].id)
            services.readiness(submission, today())  # the check page was read in both windows
            return lambda: services.submit(submission, by=practitioner, today=today())

        results = race(race_app, contender, contender)
        _, error = winner_and_loser(results)
        assert isinstance(error, DomainError), f"round {round_}: {error!r}"
        submission = session().get(Submission, submission_id, populate_existing=True)
        assert submission.state is S.SUBMITTED and submission.version == 1
        assert _open_and_sealed(enrolment_id) == (1, 1)
        services.withdraw(submission, by=session().get(User, world["practitioner"].id), reason="Next round.")
        session().commit()


def test_two_starts_of_the_same_stage_one_wins(race_app, world):
    from portal.assessments import services
    from portal.assessments.models import Submission
    from portal.enrolments.models import Enrolment
    from portal.users.models import User

    enrolment_id = world["enrolment"].id
    for round_ in range(ROUNDS):
        def contender() -> Callable[[], Any]:
            enrolment = session().get(Enrolment, enrolment_id)
            practitioner = session().get(User, world["practitioner"].id)
            return lambda: services.start_submission(enrolment, "Y1", by=practitioner).id

        results = race(race_app, contender, contender)
        winner, error = winner_and_loser(results)
        assert isinstance(error, DomainError), f"round {round_}: {error!r}"
        assert "already started" in str(error)
        assert _open_and_sealed(enrolment_id) == (1, 0)
        submission = session().get(Submission, results[winner])
        services.withdraw(submission, by=session().get(User, world["practitioner"].id), reason="Next round.")
        session().commit()


# -------------------------------------------------------------------------------------------------- over HTTP
def test_two_marking_forms_posted_at_once_the_loser_sees_the_conflict(race_app, flow, world):
    from bs4 import BeautifulSoup

    from portal.assessments import services
    from portal.assessments.marking import requirements_of
    from portal.assessments.models import Marking
    from portal.users.models import User

    submission_id = flow.assessing()
    assessor = session().get(User, world["south_assessor"].id)
    marking = services.open_marking(flow.sub(submission_id), by=assessor)
    session().commit()
    marking_id, count = marking.id, len(requirements_of(flow.sub(submission_id)))
    assessor_id = assessor.id
    url = f"/assessments/submissions/{submission_id}/marking"

    for round_ in range(ROUNDS):
        expected = session().get(Marking, marking_id, populate_existing=True).lock_version
        session().rollback()

        def tab(n: int, expected: int = expected, round_: int = round_) -> Callable[[], Callable[[], Any]]:
            def prepare() -> Callable[[], Any]:
                client = race_app.test_client()
                start_session(client, session().get(User, assessor_id))
                data = {f"level_{i}": "met" for i in range(1, count + 1)}
                data.update({"outcome": "PASS", "feedback": f"Round {round_}: posted by tab {n}.",
                             "lock_version": str(expected), "incomplete_deadline": ["", "", ""],
                             "extend_to": ["", "", ""]})
                return lambda: client.post(url, data=data)
            return prepare

        responses = race(race_app, tab(0), tab(1))
        assert all(not isinstance(r, BaseException) for r in responses), responses
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [302, 409], f"round {round_}: {statuses}"
        winner = next(n for n, r in enumerate(responses) if r.status_code == 302)
        loser = responses[1 - winner]
        soup = BeautifulSoup(loser.get_data(as_text=True), "html.parser")
        summary = soup.select_one(".govuk-error-summary")
        assert summary is not None, loser.get_data(as_text=True)[:3000]
        assert "your changes have not been saved" in summary.get_text()
        assert soup.title.get_text().strip().startswith("Error: ")
        # the loser's text is shown back so it can be copied
        assert f"Round {round_}: posted by tab {1 - winner}." in soup.get_text()
        stored = session().get(Marking, marking_id, populate_existing=True)
        assert stored.lock_version == expected + 1
        assert re.fullmatch(rf"Round {round_}: posted by tab {winner}\.", stored.feedback)
        session().rollback()
