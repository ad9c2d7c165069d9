"""``portal certificates``: signing keys, issuing what is pending, and reissuing a template's certificates."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from portal.db import session
from portal.exceptions import DomainError

BATCH = 200


@click.group("certificates")
def certificates_group() -> None:
    """Certificates and verifiable credentials."""


@certificates_group.command("init-keys")
@click.option("--rotate", is_flag=True, help="Retire the current key (still published) and make a new one")
@with_appcontext
def init_keys_command(rotate: bool) -> None:
    """Create the Ed25519 key that signs credentials and status lists (idempotent), in CREDENTIAL_KEY_DIR."""
    from .publishing import rebuild_status_lists
    from .signing import init_keys, key_directory, reset_keyring

    change = init_keys(key_directory(), rotate=rotate)
    reset_keyring()
    if change.created:
        rebuild_status_lists()  # re-sign the published lists with the new key
        session().commit()
    verb = "Created" if change.created else "Kept the existing"
    click.echo(f"{verb} signing key {change.kid} in {key_directory()}")
    if change.retired_kid:
        click.echo(f"Retired {change.retired_kid}: it stays published so what it signed still verifies. "
                   "Copy the folder to every web server and restart them.")


@certificates_group.command("issue-pending")
@with_appcontext
def issue_pending_command() -> None:
    """Issue certificates for every standing sign-off that has none yet (resumable and idempotent: run it again
    after a failure or after fixing a sign-off that could not be certified)."""
    from .issuing import confers_certificate, issue_for_sign_off
    from .queries import count_sign_offs, kinds_issued, sign_offs_after

    total = count_sign_offs()
    issued = skipped = 0
    problems: list[str] = []
    last_id = 0
    with click.progressbar(length=total, label="Checking sign-offs", file=sys.stderr) as bar:
        while True:
            batch = sign_offs_after(last_id, BATCH)
            if not batch:
                break
            have = kinds_issued([s.id for s in batch])
            for sign_off in batch:
                last_id = sign_off.id
                # an award sign-off may still lack one of its two certificates; the service skips what exists
                if not confers_certificate(sign_off) or (have.get(sign_off.id) and not getattr(
                        sign_off, "is_award", False)):
                    skipped += 1
                    continue
                try:
                    with session().begin_nested():
                        made = issue_for_sign_off(sign_off, by=None)
                except DomainError as error:
                    problems.append(f"sign-off {sign_off.id}: {error.message}")
                    continue
                issued += len(made)
                skipped += not made
            session().commit()  # each batch is kept: a rerun carries on where this one stopped
            bar.update(len(batch))
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{issued} certificate(s) issued; {skipped} sign-off(s) already certified or not passing; "
               f"{len(problems)} could not be certified")
    if problems:
        raise SystemExit(1)


@certificates_group.command("reissue")
@click.option("--template", "template_code", required=True, help="Programme template code, like ECF-5Y")
@click.option("--reason", default="New certificate layout or wording", show_default=True)
@click.option("--up-to-id", type=int, help="Only certificates with this id or lower (default: the newest now). "
                                            "Give the value an interrupted run printed to resume it.")
@with_appcontext
def reissue_command(template_code: str, reason: str, up_to_id: int | None) -> None:
    """Supersede every valid certificate of a programme template with a freshly made one (new snapshot: current
    names and wording; new code), e.g. after a change of layout or wording. Successors get higher ids than the
    bound, so a run never reissues its own output and a resumed run carries on where it stopped."""
    from .queries import count_valid_of_template, latest_certificate_id, valid_of_template
    from .services import reissue

    bound = up_to_id if up_to_id is not None else latest_certificate_id()
    click.echo(f"Reissuing valid {template_code} certificates up to id {bound} (to resume: --up-to-id {bound})",
               err=True)
    total = count_valid_of_template(template_code, bound)
    done = 0
    problems = []
    with click.progressbar(length=total, label="Reissuing", file=sys.stderr) as bar:
        after_id = 0
        while batch := valid_of_template(template_code, bound, after_id, BATCH):
            for certificate in batch:
                after_id = certificate.id
                try:
                    with session().begin_nested():
                        reissue(certificate, by=None, reason=reason)
                    done += 1
                except DomainError as error:
                    problems.append(f"{certificate.code}: {error.message}")
            session().commit()
            bar.update(len(batch))
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{done} certificate(s) reissued")
    if problems:
        raise SystemExit(1)
