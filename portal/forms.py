"""Shared form helpers: GOV.UK wording for common checks and a way to show a service's refusal on a field."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField, Field, ValidationError
from wtforms.validators import Email, Length

from portal.exceptions import DomainError
from portal.text import control_character_problem


class BaseForm(FlaskForm):
    """Every form: CSRF from Flask-WTF; strings are stripped of surrounding spaces."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            filters = unbound_field.kwargs.get("filters", [])
            kind = unbound_field.field_class.__name__
            if kind in {"StringField", "TextAreaField", "EmailField", "PasswordField"}:
                if kind != "PasswordField":
                    filters = [_strip, *filters]
                # No text field accepts control characters (PostgreSQL cannot even store NUL).
                validators = list(unbound_field.kwargs.get("validators") or unbound_field.args[1:2] and
                                  unbound_field.args[1] or [])
                if not any(isinstance(v, NoControlCharacters) for v in validators):
                    validators.append(NoControlCharacters(multiline=kind == "TextAreaField"))
                unbound_field.kwargs["validators"] = validators
            return unbound_field.bind(form=form, filters=filters, **options)

    def fail(self, error: DomainError, default_field: str | None = None) -> None:
        """Attach a service's refusal to the field it concerns (or the form's first field)."""
        name = error.field if error.field in self._fields else default_field
        if name is None:
            name = next(iter(k for k in self._fields if k != "csrf_token"), None)
        if name is None:
            return
        field = self._fields[name]
        field.errors = [*list(field.errors or []), error.message]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def email_validators(what: str = "email address") -> list[Any]:
    return [
        Length(max=254, message="Email address must be 254 characters or fewer"),
        Email(message=f"Enter an {what} in the correct format, like name@example.com", check_deliverability=False),
    ]


class NoControlCharacters:
    """Refuse control characters (other than tab and newline in long text) and bidirectional formatting
    characters (see portal.text)."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form: Any, field: Field) -> None:
        data = field.data or ""
        problem = control_character_problem(data, multiline=self.multiline) if isinstance(data, str) else None
        if problem:
            raise ValidationError(f"{field.label.text} must not contain {problem}")


class GovukDateField(DateField):
    """A GOV.UK date input (day, month and year boxes) with GOV.UK error wording.

    govuk-frontend-wtf's GovDateInput unpacks exactly three submitted parts and raises a 500 on a POST that
    omits them; this field always keeps three parts. Messages follow the date input pattern: "Enter <what>",
    "<What> must include a month", "<What> must be a real date". ``what`` is the noun used in messages, like
    "the start date"; leave ``required`` off for an optional date (empty is then None).
    """

    widget = GovDateInput()

    def __init__(self, label: str | None = None, validators: Any = None, *, what: str = "the date",
                 required: bool = True, **kwargs: Any):
        super().__init__(label, validators, **kwargs)
        self.what = what
        self.required = required

    def process_formdata(self, valuelist: list[Any]) -> None:
        parts = [str(p).strip() for p in list(valuelist)[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        day, month, year = parts
        if not any(parts):
            if self.required:
                raise ValueError(f"Enter {self.what}")
            return
        missing = [name for name, value in (("day", day), ("month", month), ("year", year)) if not value]
        if missing:
            raise ValueError(f"{_bare(self.what)} must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValueError(f"{_bare(self.what)} must be a real date")
        try:
            self.data = dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{_bare(self.what)} must be a real date") from None


def _bare(what: str) -> str:
    """'The start date' -> 'Start date' (GOV.UK messages start with the noun)."""
    text = what.removeprefix("The ").removeprefix("the ")
    return text[:1].upper() + text[1:]
