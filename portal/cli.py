"""The ``portal`` command: database, accounts, demo data, mail and audit. Commands call services and commit."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from portal.db import session


def _create_app() -> Flask:
    from portal import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True, add_version_option=False)
def main() -> None:
    """Expert practitioner pathway portal."""


def _refuse_in_production(what: str) -> None:
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException(f"{what} is not available in production")


# ---------------------------------------------------------------------------------------------------- database
@click.group("db")
def db_group() -> None:
    """Database migrations."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database to the latest (or a given) revision."""
    from portal.migrations_util import upgrade

    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database at {revision}")
    if revision == "head":
        from portal.enrolments.stage_dates import refresh_missing

        filled = refresh_missing(progress=_progress("Storing stage dates"))
        session().commit()
        if filled:
            click.echo(f"Stage dates stored for {filled:,} enrolment(s)")


@db_group.command("downgrade")
@click.option("--revision", default="-1", show_default=True)
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Step the database back (default: one revision)."""
    from portal.migrations_util import downgrade

    downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database downgraded to {revision}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the current and latest revisions."""
    from portal.migrations_util import current_revision, head_revision

    click.echo(f"current: {current_revision()}  head: {head_revision()}")


# ---------------------------------------------------------------------------------------------------- accounts
@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
@with_appcontext
def create_admin(email: str, name: str, password_stdin: bool) -> None:
    """Create an active programme admin (the first account of a new installation)."""
    from portal.auth.services import DomainError
    from portal.users.seeding import create_programme_admin

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_programme_admin(email=email, name=name, password=password)
    except DomainError as error:
        session().rollback()
        raise click.ClickException(error.message) from None
    session().commit()
    click.echo(f"Programme admin {user.email} created. They must set up two-factor authentication at first "
               "sign-in.")


@click.command("seed-demo")
@click.option("--practitioners", type=click.IntRange(min=0), default=0, show_default=True,
              help="Also load a national-scale data set with this many practitioners (0: the small demo only).")
@click.option("--employers", type=click.IntRange(min=3), default=150, show_default=True,
              help="How many employers the national data set spreads them over.")
@click.option("--seed", type=int, default=2026, show_default=True, help="Random seed of the national data set.")
@with_appcontext
def seed_demo(practitioners: int, employers: int, seed: int) -> None:
    """Load demo organisations and one account per role (idempotent: running it again changes nothing); with
    --practitioners N, also a national-scale data set (once per database)."""
    from portal.users.seeding import DEMO_PASSWORD, seed_demo_data

    _refuse_in_production("Demo data")
    if practitioners:
        from portal.seeding_national import national_data_exists

        if national_data_exists():
            raise click.ClickException("This database already holds national demo data (organisations coded "
                                       "NAT-...): start from an empty database to load it again.")
    accounts = seed_demo_data()
    session().commit()
    if practitioners:
        from portal.exceptions import DomainError
        from portal.seeding_national import load_national

        try:
            summary = load_national(practitioners, employers=employers, seed=seed)
        except DomainError as error:
            session().rollback()
            raise click.ClickException(error.message) from None
        click.echo(f"National data: {summary.practitioners:,} practitioners across {summary.employers} employers, "
                   f"{summary.evidence_rows:,} evidence rows, {summary.certificates:,} certificates "
                   f"(register opened {summary.register_opened}) in {summary.seconds:.0f} s")
        for table, count in sorted(summary.rows.items()):
            click.echo(f"  {table:<28} {count:>11,}")
        from portal.enrolments.stage_dates import refresh_missing

        refresh_missing(progress=_progress("Storing stage dates"))  # loaded in bulk, past the enrolment services
        session().commit()
    from portal.demo_activity import demo_certificate_code
    from portal.urls import external_url

    code = demo_certificate_code()
    if code:
        click.echo(f"Demo certificate (Rhys Morgan, Year 1): {external_url('certificates.verify_code', code=code)}")
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for account in accounts:
        extra = f"  2FA key {account.totp_secret} (or: .venv/bin/portal demo-code {account.email})" \
            if account.totp_secret else ""
        click.echo(f"  {account.role_label:<20} {account.email}{extra}")


@click.command("demo-code")
@click.argument("email")
@with_appcontext
def demo_code(email: str) -> None:
    """Print the current two-factor code of a demo account (development only)."""
    import pyotp

    from portal import clock
    from portal.auth.services import find_user_by_email

    _refuse_in_production("Demo codes")
    user = find_user_by_email(email)
    if user is None or not user.totp_secret or not user.email.endswith(".example"):
        raise click.ClickException("No demo account with two-factor authentication has that address")
    click.echo(pyotp.TOTP(user.totp_secret).at(clock.now()))  # the code the service expects now


# ---------------------------------------------------------------------------------------------------- mail, audit
@click.group("mail")
def mail_group() -> None:
    """The mail outbox."""


@mail_group.command("send")
@click.option("--limit", default=500, show_default=True)
@with_appcontext
def mail_send(limit: int) -> None:
    """Deliver pending messages (retries with backoff; run it every minute from cron or a timer)."""
    from portal.mail import send_pending

    counts = send_pending(limit=limit)
    click.echo(f"sent {counts['sent']}, failed {counts['failed']}, to retry {counts['retry']}")


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check the hash chain of the audit log; exits 1 and lists each break if history was changed."""
    from portal.audit import count_events, verify_chain

    total = count_events()
    problems = []
    with click.progressbar(length=total, label="Checking audit events", file=sys.stderr) as bar:
        problems.extend(verify_chain(on_batch=bar.update))
    if problems:
        for problem in problems:
            click.echo(f"event {problem.event_id}: {problem.message}", err=True)
        raise SystemExit(1)
    click.echo(f"Audit chain intact: {total} events")


@click.group("evidence")
def evidence_group() -> None:
    """Evidence file storage."""


@evidence_group.command("sweep")
@click.option("--delete", is_flag=True, help="Remove the orphaned files (default: only list them)")
@with_appcontext
def evidence_sweep(delete: bool) -> None:
    """List (or remove) stored files that no row refers to, e.g. after a crash between writing and committing."""
    from portal.evidence.services import orphaned_keys
    from portal.evidence.storage import get_storage

    keys = orphaned_keys()
    for key in keys:
        click.echo(key)
        if delete:
            get_storage().delete(key)
    click.echo(f"{len(keys)} orphaned file(s){' removed' if delete and keys else ''}", err=True)


@click.command("backup")
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(destination: Path) -> None:
    """Write a consistent backup (database + evidence files + checksum manifest) into a new folder."""
    from portal.backup import BackupError, backup
    from portal.certificates.signing import key_directory
    from portal.evidence.storage import get_storage

    try:
        folder = backup(current_app.config["DATABASE_URL"], get_storage(), destination,
                        _progress("Copying evidence files"), key_dir=key_directory())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {folder}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(source: Path) -> None:
    """Restore a backup folder into this instance's empty database and evidence storage, checking every
    checksum first and the row counts after."""
    from portal.backup import BackupError, restore
    from portal.certificates.signing import key_directory, reset_keyring
    from portal.evidence.storage import get_storage

    try:
        manifest = restore(source, current_app.config["DATABASE_URL"], get_storage(),
                           _progress("Restoring evidence files"), key_dir=key_directory())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    reset_keyring()
    click.echo(f"Restored {sum(manifest['row_counts'].values())} rows, {len(manifest['files'])} files and "
               f"{len(manifest.get('keys', {}))} signing key file(s) (migration {manifest['revision']})")


def _progress(label: str):  # type: ignore[no-untyped-def]
    """A progress bar on standard error for a list of work items."""

    def wrap(items):  # type: ignore[no-untyped-def]
        items = list(items)
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar

    return wrap


def init_app(app: Flask) -> None:
    from portal.certificates.cli import certificates_group
    from portal.framework.cli import framework_group
    from portal.oversight.cli import COMMANDS as oversight_commands

    for command in (db_group, create_admin, seed_demo, demo_code, mail_group, audit_group, evidence_group,
                    framework_group, backup_command, restore_command, certificates_group, *oversight_commands):
        app.cli.add_command(command)
