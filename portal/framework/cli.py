"""``portal framework``: load programme templates and standards sets from YAML files."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.db import session


@click.group("framework")
def framework_group() -> None:
    """Programme templates and standards sets."""


def _report(load: object) -> None:
    from portal.framework.services import LoadFailed

    try:
        results = load()  # type: ignore[operator]
    except LoadFailed as failure:
        session().rollback()
        for problem in failure.problems:
            click.echo(problem, err=True)
        count = len(failure.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing was loaded", err=True)
        raise SystemExit(1) from None
    session().commit()
    for result in results:
        click.echo(result.describe())


@framework_group.command("load")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@with_appcontext
def load(files: tuple[Path, ...]) -> None:
    """Validate and load programme templates and standards sets (all or nothing).

    Each problem is printed as file:line:column: message, and the command exits 1 without loading anything.
    Loading an identical file again changes nothing.
    """
    from portal.framework.services import load_files, read_path

    try:
        texts = [read_path(path) for path in files]
    except UnicodeDecodeError as error:
        raise click.ClickException(f"a file is not UTF-8 text ({error.reason})") from None
    _report(lambda: load_files(texts, by=None))


@framework_group.command("load-builtin")
@with_appcontext
def load_builtin() -> None:
    """Load the standards sets and programme templates shipped with the portal (idempotent)."""
    from portal.framework.services import load_builtin as load_all

    _report(lambda: load_all(by=None))
