"""Dashboard pages: an organisation's (its employer admins, programme admins) and the national one (programme
admins), the lists behind their numbers, and those lists' CSV and XLSX exports. Organisation pages load the
organisation from the URL and check the predicate, so changing the id in the URL never shows another employer's
figures."""
from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select, type_coerce

from portal.casework.models import CaseworkItem
from portal.db import session
from portal.enrolments.services import london_today
from portal.exports import export_response
from portal.oversight import assessment_figures as assessing
from portal.oversight import bp, dashboard, exports, queries
from portal.oversight.filters import Filters, parse_filters
from portal.oversight.scope import Scope
from portal.pagination import Page, decode_cursor, encode_cursor, keyset_page
from portal.permissions import (
    administered_organisation_ids,
    can_view_organisation_dashboard,
    can_view_oversight,
    can_view_programme_dashboard,
    is_programme_admin,
    requires,
)
from portal.urls import parse_id
from portal.users.models import Organisation, User

LOAD_ORG = ("org_id", Organisation)
FORMATS = "<fmt>"  # csv or xlsx (a plain converter, so the route-walking test reaches the guard)
EXPORT_FORMATS = frozenset({"csv", "xlsx"})


def _page_size() -> int:
    return int(current_app.config["PAGE_SIZE"])


def page_of(rows: Sequence[queries.CohortRow], *, after: str | None, before: str | None,
            size: int) -> Page[queries.CohortRow]:
    """A page of rows already in memory (sorted by practitioner name, then enrolment id), found by a cursor of
    that sort key, like the database lists."""
    keys = [[r.enrolment.practitioner.name.lower(), r.enrolment.id] for r in rows]
    after_key, before_key = _sort_key(decode_cursor(after, 2)), _sort_key(decode_cursor(before, 2))
    if before_key is not None and after_key is None:
        end = bisect.bisect_left(keys, before_key)
        start = max(0, end - size)
    else:
        start = bisect.bisect_right(keys, after_key) if after_key is not None else 0
        end = start + size
    items = list(rows[start:end])
    next_cursor = encode_cursor(keys[end - 1]) if items and end < len(rows) else None
    prev_cursor = encode_cursor(keys[start]) if items and start > 0 else None
    return Page(items, next_cursor, prev_cursor, start == 0)


def _sort_key(values: list[Any] | None) -> list[Any] | None:
    """A cursor's (name, id), or None when it is not one (a tampered cursor starts again at the first page)."""
    if values is None or not isinstance(values[0], str) or not isinstance(values[1], int) or isinstance(
            values[1], bool):
        return None
    return values


def _filters(scope: Scope, *, supervisors: bool = False) -> tuple[Filters, Any]:
    choices = queries.filter_choices(national=scope.national)
    return parse_filters(request.args, choices, supervisors=supervisors), choices


def _cohort(scope: Scope, filters: Filters) -> list[queries.CohortRow]:
    return queries.select_rows(queries.load_cohort(scope.organisation_ids, filters, london_today()), filters)


# ----------------------------------------------------------------------------------------------------- index
@bp.route("/oversight")
@requires(can_view_oversight)
def index() -> Any:
    """Programme admins go to the national dashboard; an employer admin of one organisation to its dashboard;
    of several, to a choice."""
    if is_programme_admin(current_user):
        return redirect(url_for("oversight.programme_dashboard"))
    ids = administered_organisation_ids(current_user)
    if len(ids) == 1:
        return redirect(url_for("oversight.organisation_dashboard", org_id=next(iter(ids))))
    organisations = list(session().execute(select(Organisation).where(Organisation.id.in_(ids))
                                           .order_by(Organisation.name, Organisation.id)).scalars())
    return render_template("oversight/choose.html", organisations=organisations)


# ------------------------------------------------------------------------------------------------- dashboards
def _dashboard(scope: Scope) -> Any:
    filters, choices = _filters(scope)
    dashboard_filters = filters.without_list_filters()
    today = london_today()
    rows = _cohort(scope, dashboard_filters)
    queues = queries.waiting_by_supervisor(scope.organisation_ids, dashboard_filters, today)
    context = dashboard.build(scope, rows, queries.figures(rows), dashboard_filters, choices, queues)
    submissions = assessing.load_submissions(scope.organisation_ids, dashboard_filters, today)
    agreement = assessing.agreement_by_assessor() if scope.national else None
    context["assessment"] = dashboard.assessment_panel(
        scope, dashboard_filters, choices, assessing.figures(submissions, today, agreement=agreement))
    return render_template("oversight/dashboard.html", today=today, **context)


@bp.route("/oversight/organisations/<int:org_id>")
@requires(can_view_organisation_dashboard, load=LOAD_ORG)
def organisation_dashboard(organisation: Organisation) -> Any:
    return _dashboard(Scope(organisation))


@bp.route("/oversight/programme")
@requires(can_view_programme_dashboard)
def programme_dashboard() -> Any:
    return _dashboard(Scope(None))


# ----------------------------------------------------------------------------------------------------- people
def _people(scope: Scope) -> Any:
    filters, choices = _filters(scope)
    rows = _cohort(scope, filters)
    page = page_of(rows, after=request.args.get("after"), before=request.args.get("before"), size=_page_size())
    return render_template("oversight/people.html", scope=scope, filters=filters, choices=choices, page=page,
                           total=len(rows))


def _people_export(scope: Scope, fmt: str) -> Any:
    if fmt not in EXPORT_FORMATS:
        abort(404)
    filters, _choices = _filters(scope)
    rows = _cohort(scope, filters)
    return export_response(fmt, f"{scope.file_stem}-people-{london_today().isoformat()}", exports.PEOPLE_HEADERS,
                           exports.people_rows(rows), title="People")


@bp.route("/oversight/organisations/<int:org_id>/people")
@requires(can_view_organisation_dashboard, load=LOAD_ORG)
def organisation_people(organisation: Organisation) -> Any:
    return _people(Scope(organisation))


@bp.route("/oversight/programme/people")
@requires(can_view_programme_dashboard)
def programme_people() -> Any:
    return _people(Scope(None))


@bp.route(f"/oversight/organisations/<int:org_id>/people.{FORMATS}")
@requires(can_view_organisation_dashboard, load=LOAD_ORG)
def organisation_people_export(organisation: Organisation, fmt: str) -> Any:
    return _people_export(Scope(organisation), fmt)


@bp.route(f"/oversight/programme/people.{FORMATS}")
@requires(can_view_programme_dashboard)
def programme_people_export(fmt: str) -> Any:
    return _people_export(Scope(None), fmt)


# ---------------------------------------------------------------------------------------------- verifications
def _supervisor_name(filters: Filters) -> str | None:
    if filters.no_supervisor:
        return "No supervisor allocated"
    if filters.supervisor_id is None:
        return None
    user = session().get(User, filters.supervisor_id)
    return user.name if user else "Unknown supervisor"


def _verifications(scope: Scope) -> Any:
    filters, choices = _filters(scope, supervisors=True)
    today = london_today()
    query = queries.waiting_query(scope.organisation_ids, filters, today).options(*queries.item_loads())
    columns = [type_coerce(CaseworkItem.requested_at, queries.CursorTimestamp()), CaseworkItem.id]
    page = keyset_page(query, columns, after=request.args.get("after"),
                       before=request.args.get("before"), size=_page_size(),
                       key=lambda i: [i.requested_at.isoformat(), i.id])
    total = sum(q.waiting for q in queries.waiting_by_supervisor(scope.organisation_ids, filters, today))
    return render_template("oversight/verifications.html", scope=scope, filters=filters, choices=choices,
                           page=page, total=total, today=today, supervisor_name=_supervisor_name(filters),
                           days_waiting=exports.days_waiting)


def _verifications_export(scope: Scope, fmt: str) -> Any:
    if fmt not in EXPORT_FORMATS:
        abort(404)
    filters, _choices = _filters(scope, supervisors=True)
    today = london_today()
    items = queries.waiting_items(scope.organisation_ids, filters, today)
    return export_response(fmt, f"{scope.file_stem}-verifications-{today.isoformat()}", exports.VERIFICATION_HEADERS,
                           exports.verification_rows(items, today), title="Verifications waiting")


@bp.route("/oversight/organisations/<int:org_id>/verifications")
@requires(can_view_organisation_dashboard, load=LOAD_ORG)
def organisation_verifications(organisation: Organisation) -> Any:
    return _verifications(Scope(organisation))


@bp.route("/oversight/programme/verifications")
@requires(can_view_programme_dashboard)
def programme_verifications() -> Any:
    return _verifications(Scope(None))


@bp.route(f"/oversight/organisations/<int:org_id>/verifications.{FORMATS}")
@requires(can_view_organisation_dashboard, load=LOAD_ORG)
def organisation_verifications_export(organisation: Organisation, fmt: str) -> Any:
    return _verifications_export(Scope(organisation), fmt)


@bp.route(f"/oversight/programme/verifications.{FORMATS}")
@requires(can_view_programme_dashboard)
def programme_verifications_export(fmt: str) -> Any:
    return _verifications_export(Scope(None), fmt)


# ------------------------------------------------------------------------------------------------ assessments
def _submissions(scope: Scope) -> tuple[Filters, Any, assessing.AssessmentFilters, list[assessing.SubmissionRow]]:
    filters, choices = _filters(scope)
    af = assessing.parse_assessment_filters(request.args)
    today = london_today()
    rows = assessing.in_scope(assessing.load_submissions(scope.organisation_ids, filters, today), af, today)
    return filters, choices, af, rows


def _assessments(scope: Scope) -> Any:
    filters, choices, af, rows = _submissions(scope)
    start = _positive(request.args.get("page"))
    size = _page_size()
    page_rows = rows[(start - 1) * size:start * size]
    return render_template("oversight/assessments.html", scope=scope, filters=filters, choices=choices, af=af,
                           rows=page_rows, total=len(rows), page_number=start,
                           pages=max(1, -(-len(rows) // size)))


def _positive(raw: str | None) -> int:
    number = parse_id(raw)
    return number if number is not None and number < 1_000_000 else 1


def _assessments_export(scope: Scope, fmt: str) -> Any:
    if fmt not in EXPORT_FORMATS:
        abort(404)
    *_, rows = _submissions(scope)
    return export_response(fmt, f"{scope.file_stem}-assessments-{london_today().isoformat()}",
                           assessing.EXPORT_HEADERS, assessing.export_rows(rows), title="Assessments")


@bp.route("/oversight/organisations/<int:org_id>/assessments")
@requires(can_view_organisation_dashboard, load=LOAD_ORG)
def organisation_assessments(organisation: Organisation) -> Any:
    return _assessments(Scope(organisation))


@bp.route("/oversight/programme/assessments")
@requires(can_view_programme_dashboard)
def programme_assessments() -> Any:
    return _assessments(Scope(None))


@bp.route(f"/oversight/organisations/<int:org_id>/assessments.{FORMATS}")
@requires(can_view_organisation_dashboard, load=LOAD_ORG)
def organisation_assessments_export(organisation: Organisation, fmt: str) -> Any:
    return _assessments_export(Scope(organisation), fmt)


@bp.route(f"/oversight/programme/assessments.{FORMATS}")
@requires(can_view_programme_dashboard)
def programme_assessments_export(fmt: str) -> Any:
    return _assessments_export(Scope(None), fmt)
