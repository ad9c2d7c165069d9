"""The navigation that follows from the signed-in user's roles (who they are: ``portal.auth.sessions``)."""
from __future__ import annotations

from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user

from portal import permissions
from portal.users.models import Role


def nav_items() -> list[dict[str, Any]]:
    """Service navigation for the signed-in user's roles (each item only where a predicate allows it)."""
    if not current_user.is_authenticated:
        return []
    endpoint = request.endpoint or ""
    items = [{"text": "Home", "href": url_for("main.index"), "active": endpoint == "main.index"}]
    if permissions.can_record_cpd(current_user):
        items.append({"text": "CPD", "href": url_for("cpd.index"),
                      "active": endpoint.startswith("cpd.") and endpoint != "cpd.supervisees"})
    if current_user.has_role(Role.PRACTITIONER):
        items.append({"text": "Casework", "href": url_for("casework.index"),
                      "active": endpoint.startswith("casework.") and endpoint not in {"casework.queue",
                                                                                      "casework.summary"}})
    if permissions.can_view_verification_queue(current_user):
        items.append({"text": "Verifications", "href": url_for("casework.queue"),
                      "active": endpoint == "casework.queue"})
    casework_orgs = sorted(permissions.administered_organisation_ids(current_user))
    if casework_orgs:
        items.append({"text": "Casework counts", "href": url_for("casework.summary", org_id=casework_orgs[0]),
                      "active": endpoint == "casework.summary"})
    if permissions.can_view_supervisees(current_user):
        items.append({"text": "Your supervisees", "href": url_for("enrolments.supervisees"),
                      "active": endpoint == "enrolments.supervisees"})
    if permissions.can_list_enrolments(current_user):
        items.append({"text": "Enrolments", "href": url_for("enrolments.enrolments"),
                      "active": endpoint.startswith("enrolments.") and endpoint != "enrolments.supervisees"})
    if permissions.can_view_programmes(current_user):
        items.append({"text": "Programmes", "href": url_for("framework.programmes"),
                      "active": endpoint.startswith("framework.")})
    if permissions.can_view_own_certificates(current_user):
        items.append({"text": "Certificates", "href": url_for("certificates.index"),
                      "active": endpoint in {"certificates.index", "certificates.certificate"}})
    if permissions.can_manage_certificates(current_user):
        items.append({"text": "Certificates register", "href": url_for("certificates.register"),
                      "active": endpoint in {"certificates.register", "certificates.change_status"}})
    if permissions.can_check_accreditation(current_user):
        items.append({"text": "Accreditation checks", "href": url_for("certificates.check"),
                      "active": endpoint.startswith(("certificates.check", "certificates.bulk"))})
    if permissions.can_view_oversight(current_user):
        items.append({"text": "Dashboard", "href": url_for("oversight.index"),
                      "active": endpoint.startswith("oversight.")})
    if permissions.can_use_notifications(current_user):
        from portal.notifications.views import unread_for_current_user

        unread = unread_for_current_user()
        items.append({"text": f"Notifications ({unread} unread)" if unread else "Notifications",
                      "href": url_for("notifications.index"), "active": endpoint == "notifications.index"})
    # assessments: the practitioner's portfolios, the assessor's queue, moderation, the admins' lists, appeals
    if permissions.can_view_own_submissions(current_user):
        items.append({"text": "Submit portfolio", "href": url_for("assessments.mine"),
                      "active": endpoint in {"assessments.mine", "assessments.edit", "assessments.check"}})
    if permissions.can_view_assessor_queue(current_user):
        items.append({"text": "Assessments", "href": url_for("assessments.queue"),
                      "active": endpoint in {"assessments.queue", "assessments.mark", "assessments.second_mark"}})
    if permissions.can_view_moderation_queue(current_user):
        items.append({"text": "Moderation", "href": url_for("assessments.moderation_queue"),
                      "active": endpoint in {"assessments.moderation_queue", "assessments.moderate"}})
    if permissions.can_list_submissions(current_user):
        items.append({"text": "Submissions", "href": url_for("assessments.submissions_list"),
                      "active": endpoint in {"assessments.submissions_list", "assessments.allocate"}})
    if permissions.is_programme_admin(current_user):
        items.append({"text": "Appeals", "href": url_for("assessments.appeals_list"),
                      "active": endpoint.startswith("assessments.appeal")})
    if permissions.can_administer(current_user):
        items.append({"text": "People", "href": url_for("users.people"),
                      "active": endpoint in {"users.people", "users.person", "users.invite", "users.edit_person",
                                             "users.add_role", "users.disable_person", "users.enable_person"}})
        items.append({"text": "Organisations", "href": url_for("users.organisations"),
                      "active": endpoint.startswith("users.") and "organisation" in endpoint})
    return items


def init_app(app: Flask) -> None:
    app.add_template_global(nav_items)
    app.add_template_global(app.config["SERVICE_NAME"], "service_name")
    for name, predicate in permissions.template_predicates().items():
        app.add_template_global(predicate, name)
