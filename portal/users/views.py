"""Administration of organisations and people (programme admins everywhere, employer admins in their own)."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from portal.auth.forms import ActionForm
from portal.db import session
from portal.exceptions import DomainError
from portal.pagination import keyset_page
from portal.permissions import (
    administered_organisation_ids,
    can_administer,
    can_change_user_status,
    can_create_organisation,
    can_edit_user,
    can_grant_role_to,
    can_invite_to_organisation,
    can_revoke_grant,
    can_view_organisation,
    can_view_user,
    grantable_roles,
    is_programme_admin,
    requires,
)
from portal.users import bp, services
from portal.users.forms import EditUserForm, GrantRoleForm, InviteForm, OrganisationForm, StatusForm
from portal.users.models import Organisation, OrganisationKind, Role, RoleGrant, User, UserStatus

NATIONAL = "national"


def _page_size() -> int:
    from flask import current_app

    return current_app.config["PAGE_SIZE"]


def _visible_organisations() -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.name, Organisation.id)
    if not is_programme_admin(current_user):
        query = query.where(Organisation.id.in_(administered_organisation_ids(current_user) or {-1}))
    return list(session().execute(query).scalars())


def _scope() -> set[int] | None:
    return None if is_programme_admin(current_user) else administered_organisation_ids(current_user)


def _role_filter(value: str | None) -> Role | None:
    try:
        return Role(value) if value else None
    except ValueError:
        flash("That role filter was not recognised, so all roles are shown", "info")
        return None


# ---------------------------------------------------------------------------------------------------- organisations
@bp.route("/organisations")
@requires(can_administer)
def organisations() -> Any:
    query = select(Organisation)
    scope = _scope()
    if scope is not None:
        query = query.where(Organisation.id.in_(scope or {-1}))
    q = request.args.get("q", "").strip()[:100]
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Organisation.name).like(like), func.lower(Organisation.code).like(like)))
    page = keyset_page(query, [Organisation.name, Organisation.id], after=request.args.get("after"),
                       before=request.args.get("before"), size=_page_size())
    return render_template("users/organisations.html", page=page, q=q)


@bp.route("/organisations/new", methods=["GET", "POST"])
@requires(can_create_organisation)
def new_organisation() -> Any:
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(name=form.name.data, kind=OrganisationKind(form.kind.data),
                                                        code=form.code.data, by=current_user)
        except DomainError as error:
            session().rollback()
            form.fail(error)
        else:
            session().commit()
            flash(f"{organisation.name} has been created. Invite its employer admin next", "success")
            return redirect(url_for("users.organisation", org_id=organisation.id))
    return render_template("users/organisation_new.html", form=form)


@bp.route("/organisations/<int:org_id>")
@requires(can_view_organisation, load=("org_id", Organisation))
def organisation(organisation: Organisation) -> Any:
    role = _role_filter(request.args.get("role"))
    q = request.args.get("q", "").strip()[:100]
    query = services.people_query(organisation_ids={organisation.id}, search=q, role=role)
    page = keyset_page(query, [User.name, User.id], after=request.args.get("after"),
                       before=request.args.get("before"), size=_page_size())
    _load_grants(page.items)
    return render_template("users/organisation.html", organisation=organisation, page=page, q=q, role=role,
                           roles=list(Role))


def _load_grants(users: list[User]) -> None:
    """Load every listed person's roles in one query (no query per row)."""
    if not users:
        return
    from sqlalchemy.orm import selectinload

    ids = [u.id for u in users]
    session().execute(select(User).where(User.id.in_(ids)).options(
        selectinload(User.grants).joinedload(RoleGrant.organisation))).scalars().all()


# ----------------------------------------------------------------------------------------------------------- people
@bp.route("/people")
@requires(can_administer)
def people() -> Any:
    role = _role_filter(request.args.get("role"))
    q = request.args.get("q", "").strip()[:100]
    query = services.people_query(organisation_ids=_scope(), search=q, role=role)
    page = keyset_page(query, [User.name, User.id], after=request.args.get("after"),
                       before=request.args.get("before"), size=_page_size())
    _load_grants(page.items)
    return render_template("users/people.html", page=page, q=q, role=role, roles=list(Role))


def _organisation_choices(include_national: bool) -> list[tuple[str, str]]:
    choices = [("", "Select an organisation")]
    choices += [(str(o.id), o.name) for o in _visible_organisations()]
    if include_national and is_programme_admin(current_user):
        choices.append((NATIONAL, "National programme (programme admin role)"))
    return choices


def _chosen_organisation(value: str) -> tuple[bool, Organisation | None]:
    """(ok, organisation) for a submitted organisation choice; the national scope is ``None``."""
    if value == NATIONAL:
        return is_programme_admin(current_user), None
    try:
        organisation = session().get(Organisation, int(value))
    except (TypeError, ValueError):
        return False, None
    if organisation is None or not can_invite_to_organisation(current_user, organisation):
        return False, None
    return True, organisation


def _all_role_choices() -> list[tuple[str, str]]:
    allowed = set(grantable_roles(current_user, None)) | {
        r for org_id in (administered_organisation_ids(current_user) or ({0} if is_programme_admin(current_user)
                                                                         else set()))
        for r in grantable_roles(current_user, org_id)}
    if is_programme_admin(current_user):
        allowed |= set(Role)
    return [(r.value, r.label) for r in Role if r in allowed]


@bp.route("/people/invite", methods=["GET", "POST"])
@requires(can_administer)
def invite() -> Any:
    form = InviteForm()
    form.organisation.choices = _organisation_choices(include_national=True)
    form.role.choices = _all_role_choices()
    if request.method == "GET" and request.args.get("organisation"):
        form.organisation.data = request.args["organisation"]
    if form.validate_on_submit():
        ok, organisation = _chosen_organisation(form.organisation.data)
        role = Role(form.role.data)
        org_id = organisation.id if organisation else None
        if not ok:
            form.organisation.errors = ["Select an organisation you manage"]
        elif role not in grantable_roles(current_user, org_id):
            form.role.errors = ["You cannot give this role in that organisation"
                                if organisation else "Programme admin is the only national role"]
        else:
            try:
                user = services.invite_person(email=form.email.data, name=form.name.data, role=role,
                                              organisation=organisation, by=current_user,
                                              swe_number=form.swe_number.data)
            except DomainError as error:
                session().rollback()
                form.fail(error)
            else:
                session().commit()
                if not user.has_role(role, org_id):
                    flash(f"{user.email} already has an account, so they have been sent an invitation to accept. "
                          f"They will have the role {role.label} once they accept", "success")
                    return redirect(url_for("users.people"))
                flash(f"{user.name} has been given the role {role.label}" +
                      (" and sent an invitation" if user.status == UserStatus.INVITED else ""), "success")
                return redirect(url_for("users.person", user_id=user.id))
    return render_template("users/invite.html", form=form)


@bp.route("/people/<int:user_id>")
@requires(can_view_user, load=("user_id", User))
def person(user: User) -> Any:
    return render_template("users/person.html", person=user, action_form=ActionForm(),
                           can_add_role=can_grant_role_to(current_user, user)
                           and bool(_organisation_choices(True)[1:]))


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
@requires(can_edit_user, load=("user_id", User))
def edit_person(user: User) -> Any:
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_user(user, name=form.name.data, swe_number=form.swe_number.data, by=current_user)
        except DomainError as error:
            session().rollback()
            form.fail(error)
        else:
            session().commit()
            flash("Changes saved", "success")
            return redirect(url_for("users.person", user_id=user.id))
    return render_template("users/person_edit.html", form=form, person=user)


@bp.route("/people/<int:user_id>/roles/new", methods=["GET", "POST"])
@requires(can_grant_role_to, load=("user_id", User))
def add_role(user: User) -> Any:
    form = GrantRoleForm()
    form.organisation.choices = _organisation_choices(include_national=True)
    form.role.choices = _all_role_choices()
    if form.validate_on_submit():
        ok, organisation = _chosen_organisation(form.organisation.data)
        role = Role(form.role.data)
        if not ok:
            form.organisation.errors = ["Select an organisation you manage"]
        elif role not in grantable_roles(current_user, organisation.id if organisation else None):
            form.role.errors = ["You cannot give this role in that organisation"]
        else:
            try:
                grant = services.grant_role(user, role, organisation, by=current_user)
            except DomainError as error:
                session().rollback()
                form.fail(error)
            else:
                session().commit()
                flash(f"{user.name} now has the role {role.label}" if grant is not None else
                      f"{user.name} has been sent an invitation to accept the role {role.label}. They will have "
                      "it once they accept", "success")
                return redirect(url_for("users.person", user_id=user.id))
    return render_template("users/add_role.html", form=form, person=user)


@bp.route("/people/<int:user_id>/roles/<int:grant_id>/revoke", methods=["POST"])
@requires(can_revoke_grant, load=("grant_id", RoleGrant))
def revoke_role(user_id: int, rolegrant: RoleGrant) -> Any:
    if rolegrant.user_id != user_id:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        person = rolegrant.user
        label = rolegrant.role.label
        services.revoke_grant(rolegrant, by=current_user)
        session().commit()
        flash(f"{person.name} no longer has the role {label}", "success")
    return redirect(url_for("users.person", user_id=user_id))


def _status_change(user: User, status: UserStatus, template: str) -> Any:
    form = StatusForm()
    if form.validate_on_submit():
        try:
            services.set_user_status(user, status, by=current_user, reason=form.reason.data or "")
        except DomainError as error:
            session().rollback()
            form.fail(error, "reason")
        else:
            session().commit()
            flash(f"{user.name}'s account has been {'disabled' if status == UserStatus.DISABLED else 'enabled'}",
                  "success")
            return redirect(url_for("users.person", user_id=user.id))
    return render_template(template, form=form, person=user)


@bp.route("/people/<int:user_id>/disable", methods=["GET", "POST"])
@requires(can_change_user_status, load=("user_id", User))
def disable_person(user: User) -> Any:
    return _status_change(user, UserStatus.DISABLED, "users/person_disable.html")


@bp.route("/people/<int:user_id>/enable", methods=["GET", "POST"])
@requires(can_change_user_status, load=("user_id", User))
def enable_person(user: User) -> Any:
    return _status_change(user, UserStatus.ACTIVE, "users/person_enable.html")


@bp.route("/people/<int:user_id>/resend-invitation", methods=["POST"])
@requires(can_view_user, load=("user_id", User))
def resend_invitation(user: User) -> Any:
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.resend_invitation(user, by=current_user)
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
        else:
            session().commit()
            flash(f"A new invitation has been sent to {user.email}. Earlier links no longer work", "success")
    return redirect(url_for("users.person", user_id=user.id))
