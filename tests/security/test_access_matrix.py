"""The access matrix: every route of the URL map, requested as anonymous and as every role, against objects that
belong to someone else (another practitioner, another organisation), and as the people entitled to them.

``MATRIX`` is keyed by endpoint: a URL builder and the status each actor gets. The test is parametrized from the
app's URL map itself, so a new route without an entry fails ("new route X has no entry in the access matrix").

Anyone not listed as allowed gets the entry's ``deny`` status (403); anonymous users are sent to sign in (302 to
/sign-in) unless the route is public; the token API answers 401 in JSON to anything but a valid bearer token. A
refused request changes nothing: no table gains or loses a row, and a refused POST (every route that takes one is
also POSTed, empty, by everyone refused) leaves every row as it was.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from ..conftest import start_session
from .conftest import table_counts, table_snapshot
from .world import ACTORS, World

SIGN_IN = "sign-in"  # 302 to the sign-in page
OK = "ok"  # 200 for a page; 200 (form error) or 302 (done) for a POST-only route
JSON_401 = "json-401"  # the token API without a usable token

SIGNED_IN = frozenset(a for a in ACTORS if a != "anonymous")
PRACTITIONERS = frozenset({"practitioner", "owner", "colleague"})
SUPERVISORS = frozenset({"supervisor", "current_supervisor", "former_supervisor"})
ASSESSORS = frozenset({"assessor", "allocated_assessor"})
MODERATORS = frozenset({"moderator", "panel_moderator"})
EMPLOYER_ADMINS = frozenset({"employer_admin", "same_org_admin"})
ADMINS = EMPLOYER_ADMINS | {"programme_admin"}
#: holders of roles that need two-factor authentication (their account pages differ)
TWO_FACTOR = frozenset({"programme_admin", *ASSESSORS, *MODERATORS, *EMPLOYER_ADMINS})
#: who may see the owner's enrolment: the practitioner, their current supervisor, their employer's admins, programme
#: admins
ENROLMENT_VIEWERS = frozenset({"owner", "current_supervisor", "same_org_admin", "programme_admin"})
OWNERS_ADMINS = frozenset({"same_org_admin", "programme_admin"})

#: extra actors who matter for some routes (they are not in every row)
EXTRA_ACTORS = {"second_marker", "reviewer", "api_token"}


@dataclass(frozen=True)
class Entry:
    url: Callable[[World], str]
    allow: Mapping[str, Any]  # actor -> expected status (OK, a number, a set of numbers)
    deny: Any = 403
    anonymous: Any = SIGN_IN
    owner: str = "owner"  # who "owner" is for this route's objects
    extra: tuple[str, ...] = ()
    xfail: str | None = None
    actors_xfail: Mapping[str, str] = field(default_factory=dict)

    def expected(self, actor: str) -> Any:
        if actor == "anonymous":
            return self.anonymous
        return self.allow.get(actor, self.deny)


def allow(*groups: Iterable[str] | str, status: Any = OK, **overrides: Any) -> dict[str, Any]:
    """``allow(ADMINS, "owner")`` -> every named actor gets ``status``; keyword arguments override one actor."""
    names: set[str] = set()
    for group in groups:
        names |= {group} if isinstance(group, str) else set(group)
    result = dict.fromkeys(names, status)
    result.update(overrides)
    return result


def guarded(url: Callable[[World], str], *groups: Iterable[str] | str, status: Any = OK, owner_is: str = "owner",
            extra: tuple[str, ...] = (), **overrides: Any) -> Entry:
    """A route behind a predicate: the named actors get ``status``; ``owner_is`` says whose objects the URL names
    (the "owner" actor is that person)."""
    return Entry(url, allow(*groups, status=status, **overrides), owner=owner_is, extra=extra)


def public(url: Callable[[World], str], status: Any = 200, **overrides: Any) -> Entry:
    """Open to everyone: anonymous and every actor get ``status`` unless overridden."""
    everyone = allow(SIGNED_IN, status=status, **overrides)
    return Entry(url, everyone, deny=status, anonymous=overrides.get("anonymous", status))


def token_api(url: Callable[[World], str], token_status: Any) -> Entry:
    """The JSON API: a session is no credential (401 JSON for everyone); the organisation's token gets
    ``token_status``."""
    return Entry(url, {"api_token": token_status}, deny=JSON_401, anonymous=JSON_401, extra=("api_token",))


def cpd_year() -> int:
    from portal.cpd.services import today_in_england
    from portal.cpd.years import registration_year

    return registration_year(today_in_england())


def _u(name: str) -> Callable[[World], int]:
    return lambda w: w[f"user:{name}"]


MATRIX: dict[str, Entry] = {
    # ---------------------------------------------------------------------------------------------- token API
    "api.openapi": public(lambda w: "/api/v1/openapi.json"),
    "api.accreditation": token_api(lambda w: "/api/v1/practitioners/SW300001/accreditation", 200),
    "api.accreditation_checks": token_api(lambda w: "/api/v1/accreditation-checks", 422),
    "api.certificate": token_api(lambda w: f"/api/v1/certificates/{w.codes['certificate']}", 200),
    # another organisation's list: the North token may not read South's
    "api.organisation_certificates": token_api(lambda w: "/api/v1/organisations/SOUTH/certificates", 403),
    # ------------------------------------------------------------------------------------------- assessments
    "assessments.agreement": guarded(lambda w: f"/assessments/submissions/{w['submission:draft']}/agreement",
                                     OWNERS_ADMINS),
    "assessments.agreement_rates": guarded(lambda w: "/assessments/agreement", "programme_admin"),
    "assessments.allocate": guarded(lambda w: f"/assessments/submissions/{w['submission:submitted']}/allocate",
                                    OWNERS_ADMINS),
    "assessments.appeal": guarded(lambda w: f"/assessments/submissions/{w['submission:confirmed_fail']}/appeal",
                                  "owner", owner_is="owner2"),
    "assessments.appeal_view": guarded(lambda w: f"/assessments/appeals/{w['appeal:open']}",
                                       "owner", "programme_admin", owner_is="owner3"),
    "assessments.appeals_list": guarded(lambda w: "/assessments/appeals", ASSESSORS, MODERATORS, "programme_admin"),
    "assessments.assign_reviewer": guarded(lambda w: f"/assessments/appeals/{w['appeal:open']}/reviewer",
                                           "programme_admin", owner_is="owner3"),
    "assessments.ask_agreement": guarded(lambda w: f"/assessments/submissions/{w['submission:draft']}/ask-agreement",
                                         "owner"),
    "assessments.check": guarded(lambda w: f"/assessments/submissions/{w['submission:draft']}/check", "owner"),
    "assessments.decide": guarded(lambda w: f"/assessments/appeals/{w['appeal:reviewed']}/decide",
                                  "programme_admin", "reviewer", owner_is="owner3", extra=("reviewer",)),
    "assessments.draw": guarded(lambda w: "/assessments/moderation/draw", MODERATORS),
    "assessments.edit": guarded(lambda w: f"/assessments/submissions/{w['submission:draft']}/edit", "owner"),
    "assessments.mark": guarded(lambda w: f"/assessments/submissions/{w['submission:assessing']}/marking",
                                "allocated_assessor"),
    "assessments.mine": guarded(lambda w: "/assessments/mine", PRACTITIONERS),
    "assessments.moderate": guarded(lambda w: f"/assessments/submissions/{w['submission:sampled']}/moderate",
                                    "panel_moderator", owner_is="owner2"),
    "assessments.moderation_queue": guarded(lambda w: "/assessments/moderation", MODERATORS),
    "assessments.pause": guarded(lambda w: f"/assessments/submissions/{w['submission:assessing']}/pause",
                                 OWNERS_ADMINS),
    "assessments.portfolio_version": guarded(
        lambda w: f"/assessments/submissions/{w['submission:assessing']}/versions/1", "owner", "allocated_assessor"),
    "assessments.queue": guarded(lambda w: "/assessments/queue", ASSESSORS),
    "assessments.reassess": guarded(lambda w: f"/assessments/submissions/{w['submission:assessing']}/reassess",
                                    "allocated_assessor"),
    "assessments.refer": guarded(lambda w: f"/assessments/submissions/{w['submission:assessing']}/refer",
                                 "allocated_assessor"),
    "assessments.resume": guarded(lambda w: f"/assessments/submissions/{w['submission:assessing']}/resume",
                                  OWNERS_ADMINS),
    "assessments.second_mark": guarded(
        lambda w: f"/assessments/submissions/{w['submission:sampled']}/second-marking", "second_marker",
        owner_is="owner2", extra=("second_marker",)),
    "assessments.second_marker": guarded(
        lambda w: f"/assessments/submissions/{w['submission:sampled']}/second-marker", "panel_moderator",
        "programme_admin", owner_is="owner2"),
    "assessments.sign_off_stage": guarded(
        lambda w: f"/assessments/submissions/{w['submission:confirmed_pass']}/sign-off", OWNERS_ADMINS,
        owner_is="owner2"),
    "assessments.start": guarded(lambda w: f"/assessments/enrolments/{w['enrolment:owner']}/start", "owner"),
    "assessments.submission": guarded(lambda w: f"/assessments/submissions/{w['submission:assessing']}",
                                      "owner", "allocated_assessor", OWNERS_ADMINS),
    "assessments.submissions_list": guarded(lambda w: "/assessments/submissions", ADMINS),
    "assessments.submit": guarded(lambda w: f"/assessments/submissions/{w['submission:draft']}/submit", "owner"),
    "assessments.withdraw": guarded(lambda w: f"/assessments/submissions/{w['submission:draft']}/withdraw",
                                    "owner"),
    # -------------------------------------------------------------------------------------------------- auth
    "auth.accept_invitation": public(lambda w: f"/invitation/{w.secrets['invitation']}"),
    "auth.account": guarded(lambda w: "/account", SIGNED_IN),
    "auth.change_password": guarded(lambda w: "/account/password", SIGNED_IN),
    "auth.forgot_password": public(lambda w: "/forgot-password"),
    # without two-factor authentication these two send you back to your account
    "auth.recovery_codes": guarded(lambda w: "/account/recovery-codes", SIGNED_IN - TWO_FACTOR, status=302,
                                   **dict.fromkeys(TWO_FACTOR, 200)),
    "auth.two_factor_disable": guarded(lambda w: "/account/two-factor/turn-off", SIGNED_IN - TWO_FACTOR, status=302,
                                       **dict.fromkeys(TWO_FACTOR, 200)),
    "auth.two_factor_setup": guarded(lambda w: "/account/two-factor", SIGNED_IN - TWO_FACTOR,
                                     **dict.fromkeys(TWO_FACTOR, 302)),
    # POST only: a new key for the set-up page, then back to it (with two-factor on: to the account page)
    "auth.two_factor_new_key": guarded(lambda w: "/account/two-factor/new-key", SIGNED_IN, status=302),
    "auth.reset_password": public(lambda w: f"/reset-password/{w.secrets['reset']}"),
    # South's admin invited the owner to South: only the owner, signed in, sees and answers it
    "auth.role_invitation": guarded(lambda w: f"/invitation/role/{w.secrets['role_invitation']}", "owner"),
    "auth.sign_in": public(lambda w: "/sign-in", status=302, anonymous=200),  # signed in: to the home page
    "auth.sign_out": guarded(lambda w: "/sign-out", SIGNED_IN, status=302),
    "auth.sign_out_everywhere": guarded(lambda w: "/account/sign-out-everywhere", SIGNED_IN, status=302),
    "auth.sessions_list": guarded(lambda w: "/account/sessions", SIGNED_IN),
    # only your own sessions: anyone else gets 403 (a session id names nothing you may see)
    "auth.end_session": guarded(lambda w: f"/account/sessions/{w['session:owner']}/sign-out", "owner", status=302),
    "auth.two_factor": public(lambda w: "/sign-in/security-code", status=302),  # no sign-in under way
    # ---------------------------------------------------------------------------------------------- casework
    "casework.anonymised": guarded(lambda w: f"/casework/items/{w['item:moderated']}/anonymised", "panel_moderator",
                                   owner_is="owner2"),
    "casework.check": guarded(lambda w: f"/casework/items/{w['item:draft']}/check", "owner"),
    "casework.choose_observed": guarded(lambda w: "/casework/observations/new", SIGNED_IN),
    "casework.comment": guarded(lambda w: f"/casework/items/{w['item:draft']}/comments", "owner",
                                "current_supervisor"),
    "casework.confirm": guarded(lambda w: f"/casework/items/{w['item:draft']}/findings/confirm", "owner"),
    "casework.decline": guarded(lambda w: f"/casework/items/{w['item:requested']}/decline", "current_supervisor"),
    "casework.delete": guarded(lambda w: f"/casework/items/{w['item:draft']}/delete", "owner"),
    "casework.delete_file": guarded(
        lambda w: f"/casework/items/{w['item:draft']}/files/{w['file:casework']}/delete", "owner"),
    "casework.edit": guarded(lambda w: f"/casework/items/{w['item:draft']}/edit", "owner"),
    "casework.enrolment": guarded(lambda w: f"/casework/enrolments/{w['enrolment:owner']}", "owner",
                                  "current_supervisor"),
    "casework.index": guarded(lambda w: "/casework/", SIGNED_IN, status=302),  # to your list, queue or home
    "casework.item": guarded(lambda w: f"/casework/items/{w['item:draft']}", "owner", "current_supervisor"),
    # an observer: the current supervisor, or a supervisor or practitioner of the same council (never the owner)
    "casework.new_observation": guarded(
        lambda w: f"/casework/enrolments/{w['enrolment:owner']}/observations/new", "current_supervisor",
        "former_supervisor", "colleague"),
    "casework.new_reflection": guarded(
        lambda w: f"/casework/enrolments/{w['enrolment:owner']}/reflections/new", "owner"),
    "casework.new_supervision": guarded(
        lambda w: f"/casework/enrolments/{w['enrolment:owner']}/supervision/new", "current_supervisor"),
    "casework.queue": guarded(lambda w: "/casework/verifications", SUPERVISORS),
    "casework.record_feedback": guarded(
        lambda w: f"/casework/enrolments/{w['enrolment:owner']}/feedback/record", "owner"),
    "casework.redact": guarded(lambda w: f"/casework/items/{w['item:draft']}/findings/redact", "owner"),
    "casework.request_link": guarded(
        lambda w: f"/casework/enrolments/{w['enrolment:owner']}/feedback/request", "owner"),
    "casework.request_verification": guarded(lambda w: f"/casework/items/{w['item:draft']}/request", "owner"),
    "casework.summary": guarded(lambda w: f"/casework/organisations/{w['north']}", OWNERS_ADMINS),
    "casework.verify": guarded(lambda w: f"/casework/items/{w['item:requested']}/verify", "current_supervisor"),
    "casework.withdraw": guarded(lambda w: f"/casework/items/{w['item:requested']}/withdraw", "owner"),
    "casework.withdraw_feedback_link": guarded(
        lambda w: f"/casework/feedback-links/{w['feedback_link']}/withdraw", "owner"),
    "feedback.respond": public(lambda w: f"/feedback/{w.secrets['feedback']}"),
    # ------------------------------------------------------------------------------------------ certificates
    "certificates.api_tokens": guarded(lambda w: f"/admin/organisations/{w['north']}/api-tokens", OWNERS_ADMINS),
    "certificates.bulk_check": guarded(lambda w: "/checks/bulk", ADMINS),
    "certificates.bulk_result": guarded(lambda w: f"/checks/bulk/{w['check_batch']}", "same_org_admin"),
    "certificates.bulk_result_csv": guarded(lambda w: f"/checks/bulk/{w['check_batch']}/results.csv",
                                            "same_org_admin"),
    "certificates.certificate": guarded(lambda w: f"/certificates/{w['certificate']}", "owner", "programme_admin"),
    "certificates.change_status": guarded(lambda w: f"/certificates/{w['certificate']}/suspend", "programme_admin"),
    "certificates.check": guarded(lambda w: "/checks", ADMINS),
    "certificates.download_credential": guarded(lambda w: f"/certificates/{w['certificate']}/credential.jwt",
                                                "owner", "programme_admin"),
    "certificates.download_credential_json": guarded(lambda w: f"/certificates/{w['certificate']}/credential.json",
                                                     "owner", "programme_admin"),
    "certificates.download_pdf": guarded(lambda w: f"/certificates/{w['certificate']}/certificate.pdf",
                                         "owner", "programme_admin"),
    "certificates.export_record": guarded(lambda w: "/certificates/record.zip", PRACTITIONERS),
    "certificates.index": guarded(lambda w: "/certificates", PRACTITIONERS),
    "certificates.jwks": public(lambda w: "/.well-known/jwks.json"),
    "certificates.register": guarded(lambda w: "/admin/certificates", "programme_admin"),
    "certificates.revoke_api_token": guarded(lambda w: f"/admin/api-tokens/{w['api_token']}/revoke", OWNERS_ADMINS),
    "certificates.status_list": public(lambda w: "/credentials/status/revocation"),
    "certificates.verify": public(lambda w: "/verify"),
    "certificates.verify_code": public(lambda w: f"/verify/{w.codes['certificate']}"),
    "certificates.verify_credential_page": public(lambda w: "/verify/credential"),
    # --------------------------------------------------------------------------------------------------- CPD
    "cpd.delete": guarded(lambda w: f"/cpd/{w['cpd']}/delete", "owner"),
    "cpd.edit": guarded(lambda w: f"/cpd/{w['cpd']}/edit", "owner"),
    "cpd.export_csv": guarded(lambda w: f"/cpd/export/{cpd_year()}.csv", PRACTITIONERS),
    "cpd.export_pdf": guarded(lambda w: f"/cpd/export/{cpd_year()}.pdf", PRACTITIONERS),
    "cpd.finish": guarded(lambda w: f"/cpd/{w['cpd']}/finish", "owner"),
    "cpd.import_preview": guarded(lambda w: f"/cpd/import/{w['cpd_import']}", "owner"),
    "cpd.import_upload": guarded(lambda w: "/cpd/import", PRACTITIONERS, EMPLOYER_ADMINS),
    "cpd.index": guarded(lambda w: "/cpd/", PRACTITIONERS),
    "cpd.new": guarded(lambda w: "/cpd/new", PRACTITIONERS),
    # your own list is /cpd/ (a redirect); the current supervisor and programme admins see it (audited)
    "cpd.person_records": guarded(lambda w: f"/cpd/people/{w['user:owner']}", "current_supervisor",
                                  "programme_admin", owner=302),
    "cpd.person_summary": guarded(lambda w: f"/cpd/people/{w['user:owner']}/summary", "owner", "current_supervisor",
                                  OWNERS_ADMINS),
    "cpd.remove_file": guarded(lambda w: f"/cpd/{w['cpd']}/files/{w['file:cpd']}/remove", "owner"),
    "cpd.supervisees": guarded(lambda w: "/cpd/supervisees", SUPERVISORS),
    "cpd.view": guarded(lambda w: f"/cpd/{w['cpd']}", "owner", "current_supervisor", "programme_admin"),
    # ---------------------------------------------------------------------------------------------- pathway
    "enrolments.add_document": guarded(lambda w: f"/enrolments/{w['enrolment:owner']}/documents/new",
                                       ENROLMENT_VIEWERS),
    "enrolments.add_extension": guarded(lambda w: f"/enrolments/{w['enrolment:owner']}/extensions/new",
                                        OWNERS_ADMINS),
    "enrolments.add_pause": guarded(lambda w: f"/enrolments/{w['enrolment:owner']}/pauses/new", OWNERS_ADMINS),
    "enrolments.add_result": guarded(lambda w: f"/enrolments/{w['enrolment:owner']}/results/new", OWNERS_ADMINS),
    "enrolments.add_self_assessment": guarded(
        lambda w: f"/enrolments/{w['enrolment:owner']}/self-assessments/new", ENROLMENT_VIEWERS),
    "enrolments.change_supervisor": guarded(lambda w: f"/enrolments/{w['enrolment:owner']}/supervisor",
                                            OWNERS_ADMINS),
    "enrolments.enrol": guarded(lambda w: "/enrolments/new", ADMINS),
    "enrolments.enrolment": guarded(lambda w: f"/enrolments/{w['enrolment:owner']}", ENROLMENT_VIEWERS),
    "enrolments.enrolments": guarded(lambda w: "/enrolments", ADMINS),
    "enrolments.migrate": guarded(lambda w: f"/enrolments/{w['enrolment:owner']}/version", OWNERS_ADMINS),
    "enrolments.review": guarded(lambda w: f"/enrolments/{w['enrolment:owner']}/reviews/Y1-R3", ENROLMENT_VIEWERS),
    "enrolments.supervisees": guarded(lambda w: "/supervisees", SUPERVISORS),
    "enrolments.transfer": guarded(lambda w: f"/enrolments/{w['enrolment:owner']}/transfer", OWNERS_ADMINS),
    # a casework file: only those who may read the item (never an admin)
    "evidence.download": guarded(lambda w: f"/files/{w['file:casework']}", "owner", "current_supervisor"),
    # -------------------------------------------------------------------------------------------- framework
    "framework.programmes": guarded(lambda w: "/programmes", ADMINS),
    "framework.publish": guarded(lambda w: "/programmes/publish", "programme_admin"),
    "framework.upload": guarded(lambda w: "/programmes/upload", "programme_admin"),
    "framework.version": guarded(lambda w: f"/programmes/{w['programme_version']}", ADMINS),
    # ------------------------------------------------------------------------------------------------- main
    "main.accessibility": public(lambda w: "/accessibility"),
    "main.cookies": public(lambda w: "/cookies"),
    "main.favicon": public(lambda w: "/favicon.ico"),
    "main.healthz": public(lambda w: "/healthz"),
    "main.index": public(lambda w: "/"),
    "main.privacy": public(lambda w: "/privacy"),
    "main.readyz": public(lambda w: "/readyz"),
    # ---------------------------------------------------------------------------------------- notifications
    "notifications.index": guarded(lambda w: "/notifications", SIGNED_IN),
    "notifications.mark_all_read": guarded(lambda w: "/notifications/read-all", SIGNED_IN),
    "notifications.mark_read": guarded(lambda w: f"/notifications/{w['notification']}/read", "owner"),
    "notifications.open_notification": guarded(lambda w: f"/notifications/{w['notification']}/open", "owner",
                                               status=302),
    "notifications.settings": guarded(lambda w: "/account/notifications", SIGNED_IN),
    # -------------------------------------------------------------------------------------------- oversight
    "oversight.index": guarded(lambda w: "/oversight", ADMINS, status=302),
    "oversight.organisation_dashboard": guarded(lambda w: f"/oversight/organisations/{w['north']}", OWNERS_ADMINS),
    "oversight.organisation_people": guarded(lambda w: f"/oversight/organisations/{w['north']}/people",
                                             OWNERS_ADMINS),
    "oversight.organisation_people_export": guarded(lambda w: f"/oversight/organisations/{w['north']}/people.csv",
                                                    OWNERS_ADMINS),
    "oversight.organisation_verifications": guarded(
        lambda w: f"/oversight/organisations/{w['north']}/verifications", OWNERS_ADMINS),
    "oversight.organisation_verifications_export": guarded(
        lambda w: f"/oversight/organisations/{w['north']}/verifications.xlsx", OWNERS_ADMINS),
    "oversight.organisation_assessments": guarded(lambda w: f"/oversight/organisations/{w['north']}/assessments",
                                                  OWNERS_ADMINS),
    "oversight.organisation_assessments_export": guarded(
        lambda w: f"/oversight/organisations/{w['north']}/assessments.csv", OWNERS_ADMINS),
    "oversight.programme_assessments": guarded(lambda w: "/oversight/programme/assessments", "programme_admin"),
    "oversight.programme_assessments_export": guarded(lambda w: "/oversight/programme/assessments.xlsx",
                                                      "programme_admin"),
    "oversight.programme_dashboard": guarded(lambda w: "/oversight/programme", "programme_admin"),
    "oversight.programme_people": guarded(lambda w: "/oversight/programme/people", "programme_admin"),
    "oversight.programme_people_export": guarded(lambda w: "/oversight/programme/people.xlsx", "programme_admin"),
    "oversight.programme_verifications": guarded(lambda w: "/oversight/programme/verifications", "programme_admin"),
    "oversight.programme_verifications_export": guarded(lambda w: "/oversight/programme/verifications.csv",
                                                        "programme_admin"),
    # --------------------------------------------------------------------------------- people and organisations
    "users.add_role": guarded(lambda w: f"/admin/people/{w['user:owner']}/roles/new", OWNERS_ADMINS),
    "users.disable_person": guarded(lambda w: f"/admin/people/{w['user:owner']}/disable", OWNERS_ADMINS),
    "users.edit_person": guarded(lambda w: f"/admin/people/{w['user:owner']}/edit", OWNERS_ADMINS),
    "users.enable_person": guarded(lambda w: f"/admin/people/{w['user:owner']}/enable", OWNERS_ADMINS),
    "users.invite": guarded(lambda w: "/admin/people/invite", ADMINS),
    "users.new_organisation": guarded(lambda w: "/admin/organisations/new", "programme_admin"),
    "users.organisation": guarded(lambda w: f"/admin/organisations/{w['north']}", OWNERS_ADMINS),
    "users.organisations": guarded(lambda w: "/admin/organisations", ADMINS),
    "users.people": guarded(lambda w: "/admin/people", ADMINS),
    "users.person": guarded(lambda w: f"/admin/people/{w['user:owner']}", OWNERS_ADMINS),
    "users.remove_team_member": guarded(lambda w: f"/admin/teams/{w['team']}/members/{w['user:owner']}/remove",
                                        OWNERS_ADMINS),
    "users.resend_invitation": guarded(lambda w: f"/admin/people/{w['user:invited']}/resend-invitation",
                                       OWNERS_ADMINS),
    "users.revoke_role": guarded(lambda w: f"/admin/people/{w['user:owner']}/roles/{w['grant:owner']}/revoke",
                                 OWNERS_ADMINS),
    "users.team": guarded(lambda w: f"/admin/teams/{w['team']}", OWNERS_ADMINS),
    "users.teams_page": guarded(lambda w: f"/admin/organisations/{w['north']}/teams", OWNERS_ADMINS),
}


# ------------------------------------------------------------------------------------------------- the walk
def _routes() -> dict[str, Any]:
    """endpoint -> its rule, from a throwaway app's URL map (collection happens before any fixture)."""
    from portal import create_app
    from portal.config import TestConfig

    app = create_app(TestConfig())
    return {rule.endpoint: rule for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and not rule.endpoint.startswith("testing.")}


ROUTES = _routes()


def _cases() -> list[Any]:
    cases = []
    for endpoint in sorted(ROUTES):
        entry = MATRIX.get(endpoint)
        if entry is None:
            cases.append(pytest.param(endpoint, "-", id=f"{endpoint}-no-entry"))
            continue
        for actor in [*ACTORS, *entry.extra]:
            marks = []
            reason = entry.actors_xfail.get(actor) or entry.xfail
            if reason:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            cases.append(pytest.param(endpoint, actor, id=f"{endpoint}-{actor}", marks=marks))
    return cases


def test_the_matrix_names_only_real_routes():
    """An entry for a route that no longer exists is a mistake too."""
    assert sorted(set(MATRIX) - set(ROUTES)) == []


def _method(rule: Any) -> str:
    return "GET" if "GET" in rule.methods else "POST"


def _matches(expected: Any, response: Any, method: str) -> bool:
    status = response.status_code
    if expected == SIGN_IN:
        return status == 302 and "/sign-in" in response.headers.get("Location", "")
    if expected == JSON_401:
        return status == 401 and response.is_json and response.json["error"]["status"] == 401
    if expected == OK:
        return status in ({200} if method == "GET" else {200, 302})
    if isinstance(expected, (set, frozenset)):
        return status in expected
    return status == expected


def _refused(expected: Any) -> bool:
    return expected in (SIGN_IN, JSON_401, 401, 403, 404)


def _sign_in(client: Any, world: World, entry: Entry, actor: str) -> dict[str, str]:
    """Sign the client in as ``actor``; returns the headers to send (the API token's)."""
    if actor == "anonymous":
        return {}
    if actor == "api_token":
        return {"Authorization": f"Bearer {world.secrets['api']}"}
    user = world.user(entry.owner if actor == "owner" else actor)
    start_session(client, user)
    return {}


@pytest.mark.parametrize(("endpoint", "actor"), _cases())
def test_access_matrix(endpoint: str, actor: str, client: Any, world: World) -> None:
    entry = MATRIX.get(endpoint)
    if entry is None:
        pytest.fail(f"new route {endpoint} ({ROUTES[endpoint].rule}) has no entry in the access matrix "
                    "(tests/security/test_access_matrix.py)")
    rule = ROUTES[endpoint]
    url = entry.url(world)
    assert _url_fits(rule, url), f"{url} does not match {rule.rule}"
    expected = entry.expected(actor)
    headers = _sign_in(client, world, entry, actor)
    method = _method(rule)
    refused = _refused(expected)

    counts = table_counts() if refused else None
    response = client.open(url, method=method, headers=headers, buffered=True)
    finish(response)
    assert _matches(expected, response, method), (
        f"{actor} {method} {url}: got {response.status_code} {response.headers.get('Location', '')}, "
        f"expected {expected}")
    if refused:
        assert table_counts() == counts, f"{actor} {method} {url} was refused but changed the database"
    if refused and "POST" in rule.methods:
        before = table_snapshot()
        response = client.open(url, method="POST", data={}, headers=headers, buffered=True)
        finish(response)
        assert _matches(expected, response, "POST"), (
            f"{actor} POST {url}: got {response.status_code}, expected {expected}")
        assert table_snapshot() == before, f"{actor} POST {url} was refused but changed the database"


def finish(response: Any) -> None:
    """Read the whole body and close it: a streamed download holds its request context until then."""
    response.get_data()
    response.close()


def _url_fits(rule: Any, url: str) -> bool:
    from werkzeug.routing import Map

    probe = Map([rule.empty()])
    adapter = probe.bind("localhost")
    try:
        adapter.match(url.split("?")[0], method=_method(rule))
    except Exception:  # noqa: BLE001 - any mismatch
        return False
    return True


def _with_missing_ids(url: str, missing: str) -> str:
    """The URL with every whole-number part of its path replaced by an id that names nothing."""
    parts = url.split("/")
    for i, part in enumerate(parts):
        head, dot, tail = part.partition(".")
        if head.isdigit():
            parts[i] = missing + dot + tail
    return "/".join(parts)


MISSING = [endpoint for endpoint, rule in sorted(ROUTES.items())
           if endpoint in MATRIX and "<int:" in rule.rule]


@pytest.mark.parametrize("endpoint", MISSING)
@pytest.mark.parametrize("missing", ["987654", str(2**31), str(2**63), "9" * 40, "9" * 5000],
                         ids=["unused", "past-int32", "past-int64", "40-digits", "5000-digits"])
def test_missing_objects_are_404(endpoint: str, missing: str, client: Any, world: World) -> None:
    """An id that names nothing, however large, is "not found" for everyone entitled to the real one: never a
    500 (a number too large for the database's integer column once was one)."""
    entry = MATRIX[endpoint]
    rule = ROUTES[endpoint]
    url = _with_missing_ids(entry.url(world), missing)
    for actor in sorted(set(entry.allow) - {"api_token"}):
        headers = _sign_in(client, world, entry, actor)
        response = client.open(url, method=_method(rule), headers=headers, buffered=True)
        finish(response)
        assert response.status_code == 404, f"{actor} {url[:80]}: {response.status_code}"


def test_the_snapshot_sees_a_changed_column(world: World) -> None:
    """The harness itself: a change to one column of one row is a different snapshot."""
    from sqlalchemy import text

    from portal.db import session

    before = table_snapshot()
    session().execute(text("UPDATE users SET name = 'Changed' WHERE id = :id"), {"id": world["user:owner"]})
    assert table_snapshot() != before


def test_matrix_size_is_reported(capsys: Any) -> None:
    """Not a check: records the size of the matrix (routes x actors) in the test output."""
    requests = sum(len(ACTORS) + len(e.extra) for e in MATRIX.values())
    print(f"access matrix: {len(MATRIX)} routes x {len(ACTORS)} actors (+ extras) = {requests} cases")
    assert requests >= len(MATRIX) * len(ACTORS)


