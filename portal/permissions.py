"""Every access rule of the portal, as named predicates ``can_<verb>(user, obj)``.

Views declare one with ``@requires(predicate, load=...)``; templates call the same predicates (they are Jinja
globals) to show or hide links. A route that needs no rule is marked ``@public``; a test walks the URL map and fails
on any route that is neither.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import DeclarativeBase

from portal.db import session
from portal.extensions import login_manager
from portal.users.models import Organisation, Role, RoleGrant, User

F = TypeVar("F", bound=Callable[..., Any])
Predicate = Callable[..., bool]


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


# ---------------------------------------------------------------------------------------------------------- roles
def is_programme_admin(user: Any) -> bool:
    """National programme administrators: see everything (audited)."""
    return _authenticated(user) and user.has_role(Role.PROGRAMME_ADMIN)


def is_employer_admin_of(user: Any, organisation_id: int | None) -> bool:
    return _authenticated(user) and organisation_id is not None and user.has_role(Role.EMPLOYER_ADMIN,
                                                                                   organisation_id)


def administered_organisation_ids(user: Any) -> set[int]:
    """Organisations whose people ``user`` may manage as employer admin."""
    return user.organisation_ids(Role.EMPLOYER_ADMIN) if _authenticated(user) else set()


# ---------------------------------------------------------------------------------------------------------- account
def can_use_account(user: Any, _obj: Any = None) -> bool:
    """Any signed-in user may see and change their own account."""
    return _authenticated(user)


# ---------------------------------------------------------------------------------------------------- organisations
def can_administer(user: Any, _obj: Any = None) -> bool:
    """Reach the administration area: programme admins and employer admins."""
    return is_programme_admin(user) or bool(administered_organisation_ids(user))


def can_create_organisation(user: Any, _obj: Any = None) -> bool:
    """Only programme admins create employer organisations."""
    return is_programme_admin(user)


def can_view_organisation(user: Any, organisation: Organisation) -> bool:
    """Programme admins see every organisation; an employer admin sees their own."""
    return is_programme_admin(user) or is_employer_admin_of(user, organisation.id)


can_invite_to_organisation = can_view_organisation


# ----------------------------------------------------------------------------------------------------------- people
def can_view_user(user: Any, target: User) -> bool:
    """Programme admins see anyone; an employer admin sees people holding a role in their organisation."""
    if is_programme_admin(user):
        return True
    return bool(administered_organisation_ids(user) & target.organisation_ids())


def can_change_user_status(user: Any, target: User) -> bool:
    """Disable or re-enable an account: never your own; an employer admin only for people wholly in their
    organisation(s) and never a programme admin."""
    if not _authenticated(user) or target.id == user.id:
        return False
    if is_programme_admin(user):
        return True
    if target.has_role(Role.PROGRAMME_ADMIN):
        return False
    target_orgs = target.organisation_ids()
    return bool(target_orgs) and target_orgs <= administered_organisation_ids(user)


def can_edit_user(user: Any, target: User) -> bool:
    """Correct a person's name or SWE number: programme admins, and employer admins of the person's organisation."""
    return can_view_user(user, target)


def grantable_roles(user: Any, organisation_id: int | None) -> list[Role]:
    """Roles ``user`` may grant in that organisation (``None``: the national scope)."""
    if is_programme_admin(user):
        if organisation_id is None:
            return [Role.PROGRAMME_ADMIN]
        return [r for r in Role if r != Role.PROGRAMME_ADMIN]
    if organisation_id is not None and is_employer_admin_of(user, organisation_id):
        return [r for r in Role if r != Role.PROGRAMME_ADMIN]
    return []


def can_grant_role(user: Any, organisation_id: int | None, role: Role) -> bool:
    """Employer admins grant any organisation role in their organisation; only programme admins make programme
    admins."""
    return role in grantable_roles(user, organisation_id)


def can_revoke_grant(user: Any, grant: RoleGrant) -> bool:
    """Revoke a role: whoever could grant it, except their own grants (so nobody locks themselves out)."""
    if not _authenticated(user) or grant.user_id == user.id:
        return False
    return can_grant_role(user, grant.organisation_id, grant.role)


def can_view_audit(user: Any, _obj: Any = None) -> bool:
    """The audit log is for programme admins."""
    return is_programme_admin(user)


# ------------------------------------------------------------------------------------------------------ decorators
def public(view: F) -> F:
    """Mark a view as deliberately open to everyone (the route-walking test accepts it)."""
    view._access = "public"  # type: ignore[attr-defined]
    return view


def requires(
    predicate: Predicate,
    *,
    load: tuple[str, type[DeclarativeBase]] | None = None,
) -> Callable[[F], F]:
    """Guard a view with a named predicate.

    ``load=("org_id", Organisation)`` loads the object whose id is in that URL argument (404 if there is none),
    passes it to the view in place of the id, and calls ``predicate(current_user, obj)`` (403 if false).
    Anonymous users are sent to sign in first.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            obj = None
            if load is not None:
                arg, model = load
                obj = session().get(model, kwargs.pop(arg))
                if obj is None:
                    abort(404)
                kwargs[model.__name__.lower()] = obj
            if not predicate(current_user._get_current_object(), obj):
                abort(403)
            return view(*args, **kwargs)

        wrapper._access = predicate.__name__  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def template_predicates() -> dict[str, Predicate]:
    """The predicates exposed to Jinja, so templates and views apply the same rule."""
    return {name: obj for name, obj in globals().items()
            if callable(obj) and (name.startswith("can_") or name.startswith("is_"))}
