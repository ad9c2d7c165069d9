"""`portal reminders run` (daily) and `portal retention run [--apply]`: they call the services and commit."""
from __future__ import annotations

import datetime as dt
import sys

import click
from flask.cli import with_appcontext

from portal.db import session


def _day(value: str | None) -> dt.date:
    from portal.enrolments.services import london_today

    if not value:
        return london_today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD, like 2026-11-30") from None


@click.group("reminders")
def reminders_group() -> None:
    """Due-soon and overdue reminders."""


@reminders_group.command("run")
@click.option("--on", "on", metavar="YYYY-MM-DD", help="The day to remind for (default: today in England)")
@with_appcontext
def reminders_run(on: str | None) -> None:
    """Send today's reminders (idempotent: run it daily from cron or a systemd timer; a second run the same day
    sends nothing again)."""
    from portal.oversight.reminders import describe, run_reminders

    today = _day(on)
    counts = run_reminders(today)
    session().commit()
    click.echo(f"Reminders for {today.isoformat()}: {describe(counts)}")


@click.group("retention")
def retention_group() -> None:
    """Data retention."""


@retention_group.command("run")
@click.option("--apply", is_flag=True, help="Erase (default: only list what would be erased)")
@click.option("--years", type=click.IntRange(min=1), default=None,
              help="Retention period after an enrolment ends (default: RETENTION_YEARS, 6)")
@click.option("--on", "on", metavar="YYYY-MM-DD", help="The day to judge from (default: today in England)")
@with_appcontext
def retention_run(apply: bool, years: int | None, on: str | None) -> None:
    """List enrolments past retention and what erasing them removes; with --apply, erase their evidence text and
    files (the certificate register is kept), one enrolment per transaction, each audited."""
    from portal.oversight.retention import erase, expired_enrolments, retention_years

    today = _day(on)
    years = years or retention_years()
    expired = expired_enrolments(today, years)
    for row in expired:
        click.echo(f"enrolment {row.enrolment_id}: {row.practitioner} ({row.organisation}), {row.status} on "
                   f"{row.ended_on.isoformat()}, kept until {row.retain_until.isoformat()}: "
                   f"{row.casework_items} casework items, {row.cpd_records} CPD records, {row.files} files")
    if not apply:
        click.echo(f"{len(expired)} enrolment(s) past {years} years of retention. Dry run: nothing was erased "
                   "(add --apply to erase).")
        return
    erased = 0
    with click.progressbar(expired, label="Erasing evidence", file=sys.stderr) as bar:
        for row in bar:
            erase(row, by=None, today=today)
            session().commit()
            erased += 1
    click.echo(f"Erased the evidence of {erased} enrolment(s); the certificate register is kept.")


COMMANDS = (reminders_group, retention_group)
