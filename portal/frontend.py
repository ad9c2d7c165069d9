"""GOV.UK Frontend wiring: the Jinja loaders, the govuk-frontend-wtf helpers and the error summary.

Templates come from the repository's ``templates/`` folder first, then from the two template packages under
their prefixes, as ``{% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}`` and
the govuk-frontend-wtf widget templates (which the widgets render as ``govuk_frontend_wtf/<name>.html``).
The compiled CSS/JS live in ``portal/static/govuk/`` (built by ``frontend/build.sh``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from govuk_frontend_wtf.gov_form_base import GovIterableBase
from govuk_frontend_wtf.main import WTFormsHelpers
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from wtforms import Field, FieldList, Form, FormField

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

ERROR_SUMMARY_TITLE = "There is a problem"


def init_app(app: Flask) -> None:
    """Point Jinja at ``templates/`` plus the GOV.UK template packages and register the form helpers."""
    loader = ChoiceLoader(
        [
            FileSystemLoader(str(TEMPLATES_DIR)),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    # Flask builds jinja_env lazily from app.jinja_loader (a cached property); set both so the loader wins
    # whether or not the environment already exists, and blueprints' own template folders keep working
    # through Flask's DispatchingJinjaLoader, which asks app.jinja_loader first.
    app.jinja_loader = loader  # type: ignore[assignment]
    if "jinja_env" in app.__dict__:
        app.jinja_env.loader = app.create_global_jinja_loader()

    # As LandRegistry's govuk-frontend-flask template app does: keeps the macros' output tidy.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    WTFormsHelpers(app)  # registers the ``wtforms_errors(form, params={})`` global
    app.add_template_global(error_summary_params)


def error_summary_params(form: Form, title: str = ERROR_SUMMARY_TITLE) -> dict[str, Any]:
    """Params for ``govukErrorSummary``: the first error of each field, in field order, linked to its input.

    Unlike govuk-frontend-wtf's ``wtforms_errors``, this links a date to its day input, radios and checkboxes
    to their first option, gives form-level errors (``form.form_errors``) and hidden fields (such as the CSRF
    token) no link, and walks ``FormField``/``FieldList`` sub-forms.
    """
    items: list[dict[str, str]] = [{"text": str(message)} for message in getattr(form, "form_errors", [])]
    for field in form:
        items.extend(_field_error_items(field))
    return {"titleText": title, "errorList": items}


def _field_error_items(field: Field) -> Iterator[dict[str, str]]:
    if isinstance(field, FormField):
        for message in getattr(field.form, "form_errors", []):
            yield {"text": str(message)}
        for subfield in field.form:
            yield from _field_error_items(subfield)
        return
    if isinstance(field, FieldList):
        for entry in field.entries:
            yield from _field_error_items(entry)
        # Errors from the list's own validators (e.g. too few entries) are plain strings
        own = [message for message in field.errors if isinstance(message, str)]
        if own:
            yield {"text": own[0], "href": f"#{field.id}"}
        return
    if not field.errors:
        return
    message = str(field.errors[0])
    if (
        field.type in {"HiddenField", "CSRFTokenField"}
        or getattr(field.widget, "input_type", None) == "hidden"
    ):
        yield {"text": message}
    else:
        yield {"text": message, "href": f"#{_error_target_id(field)}"}


def _error_target_id(field: Field) -> str:
    """The id of the first input the GOV.UK macro renders for this field."""
    if isinstance(field.widget, GovDateInput):
        return f"{field.name}-day"  # govuk-frontend-wtf names the parts <name>-day/-month/-year
    if isinstance(field.widget, GovIterableBase):
        return field.name  # radios/checkboxes: idPrefix defaults to the name; the first item takes it as id
    return field.id
