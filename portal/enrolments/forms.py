"""Forms for enrolments and their records. They check the shape of input; the services check the rules."""
from __future__ import annotations

import re
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from portal.enrolments.models import RATING_LEVELS, PauseReason
from portal.forms import BaseForm, GovukDateField
from portal.framework import vocabulary as v

LONG_TEXT = 5000


def _long(label: str, what: str, *, required: bool = False) -> TextAreaField:
    validators: list[Any] = [InputRequired(message=f"Enter {what}")] if required else [Optional()]
    validators.append(Length(max=LONG_TEXT, message=f"{label} must be {LONG_TEXT} characters or fewer"))
    return TextAreaField(label, widget=GovTextArea(), validators=validators)


class WholeNumber:
    """A whole number of 0 or more (empty is 0)."""

    def __init__(self, what: str):
        self.what = what

    def __call__(self, form: Any, field: Any) -> None:
        if (field.data or "").strip() and not re.fullmatch(r"\d{1,3}", field.data.strip()):
            raise ValidationError(f"{self.what} must be a whole number, like 3")


def whole_number(value: str | None) -> int:
    return int(value) if value and value.strip() else 0


class OrganisationChoiceForm(BaseForm):
    class Meta:
        csrf = False  # a GET form that only chooses where to go next

    organisation = SelectField("Organisation", widget=GovSelect(), coerce=str,
                               validators=[InputRequired(message="Select an organisation")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class EnrolForm(BaseForm):
    practitioner = SelectField("Practitioner", widget=GovSelect(), coerce=str,
                               validators=[InputRequired(message="Select the practitioner to enrol")])
    programme_version = RadioField("Programme", widget=GovRadioInput(), coerce=str,
                                   validators=[InputRequired(message="Select a programme")])
    start_date = GovukDateField("Start date", what="the start date",
                                description="The date they started the programme, for example 1 9 2026")
    fte = StringField("Full-time equivalent (FTE)", widget=GovTextInput(),
                      description="1 for full time; 0.6 for 3 days a week. Part-time work stretches every due date",
                      validators=[InputRequired(message="Enter the FTE, like 1 or 0.6"),
                                  Length(max=10, message="Enter the FTE as a number, like 0.6")])
    supervisor = SelectField("Practice supervisor", widget=GovSelect(), coerce=str, validators=[Optional()])
    submit = SubmitField("Enrol", widget=GovSubmitInput())


class PauseForm(BaseForm):
    start_date = GovukDateField("Start date", what="the start date of the pause",
                                description="The first day of the break, for example 1 3 2026")
    end_date = GovukDateField("End date", what="the end date of the pause",
                              description="The last day of the break, for example 31 5 2026")
    reason = RadioField("Reason", widget=GovRadioInput(), choices=[(r.value, r.label) for r in PauseReason],
                        validators=[InputRequired(message="Select the reason for the pause")])
    details = _long("Details (optional)", "details")
    submit = SubmitField("Add pause", widget=GovSubmitInput())


class ExtensionForm(BaseForm):
    stage_code = RadioField("Stage", widget=GovRadioInput(), coerce=str,
                            validators=[InputRequired(message="Select the stage to extend")])
    months = StringField("Months", widget=GovTextInput(), validators=[WholeNumber("Months")])
    days = StringField("Days", widget=GovTextInput(), validators=[WholeNumber("Days")])
    reason = _long("Reason", "the reason for the extension", required=True)
    submit = SubmitField("Add extension", widget=GovSubmitInput())


class SupervisorForm(BaseForm):
    supervisor = SelectField("Practice supervisor", widget=GovSelect(), coerce=str, validators=[Optional()])
    submit = SubmitField("Save supervisor", widget=GovSubmitInput())


class TransferForm(BaseForm):
    organisation = SelectField("New employer", widget=GovSelect(), coerce=str,
                               validators=[InputRequired(message="Select the new employer")])
    submit = SubmitField("Transfer", widget=GovSubmitInput())


class MigrateForm(BaseForm):
    version = RadioField("Version", widget=GovRadioInput(), coerce=str,
                         validators=[InputRequired(message="Select the version to move to")])
    submit = SubmitField("Move to this version", widget=GovSubmitInput())


def _rating_field(label: str) -> RadioField:
    return RadioField(label, widget=GovRadioInput(), coerce=str, validators=[Optional()],
                      choices=[(str(level), f"{level} {name}") for level, name in RATING_LEVELS.items()])


def with_ratings(form_class: type[BaseForm], statements: list[tuple[str, str]]) -> type[BaseForm]:
    """``form_class`` plus one optional rating (1-4) per statement, as fields rating_1, rating_2, ... in order."""
    fields = {f"rating_{n}": _rating_field(f"{code} {title}") for n, (code, title) in enumerate(statements, 1)}
    return type(form_class.__name__, (form_class,), fields)


def ratings_from(form: BaseForm, statements: list[tuple[str, str]]) -> dict[str, str]:
    """The ratings given, by statement code (empty when none were given)."""
    return {code: form[f"rating_{n}"].data for n, (code, _) in enumerate(statements, 1)
            if form[f"rating_{n}"].data not in (None, "", "None")}


class ReviewForm(BaseForm):
    held_on = GovukDateField("Date held", what="the date the review was held",
                             description="For example, 3 12 2025")
    attendees = _long("Who attended", "who attended", required=True)
    notes = _long("Notes", "the notes of the review", required=True)
    development_plan = _long("Development plan (optional)", "the development plan")
    submit = SubmitField("Record review", widget=GovSubmitInput())


class SelfAssessmentForm(BaseForm):
    stage_code = RadioField("Stage", widget=GovRadioInput(), coerce=str,
                            validators=[InputRequired(message="Select the stage")])
    point = RadioField("When in the stage", widget=GovRadioInput(),
                       choices=[(code, label[:1].upper() + label[1:]) for code, label in
                                v.SELF_ASSESSMENT_POINTS.items()],
                       validators=[InputRequired(message="Select when in the stage this was done")])
    completed_on = GovukDateField("Date completed", what="the date the self-assessment was completed")
    submit = SubmitField("Save self-assessment", widget=GovSubmitInput())


class DocumentForm(BaseForm):
    kind = RadioField("Kind of document", widget=GovRadioInput(),
                      choices=[(code, nouns[0][:1].upper() + nouns[0][1:]) for code, nouns in v.DOCUMENT_KINDS.items()],
                      validators=[InputRequired(message="Select the kind of document")])
    title = StringField("Title (optional)", widget=GovTextInput(),
                        validators=[Optional(), Length(max=200, message="Title must be 200 characters or fewer")])
    summary = _long("Summary", "a summary of the document", required=True)
    completed_on = GovukDateField("Date completed", what="the date the document was completed")
    stage_code = RadioField("Stage", widget=GovRadioInput(), coerce=str,
                            validators=[InputRequired(message="Select the stage it belongs to")])
    submit = SubmitField("Add document", widget=GovSubmitInput())


class ExternalResultForm(BaseForm):
    kind = RadioField("Result", widget=GovRadioInput(),
                      choices=[(code, label[:1].upper() + label[1:]) for code, label in v.EXTERNAL_RESULTS.items()],
                      validators=[InputRequired(message="Select the kind of result")])
    passed = RadioField("Outcome", widget=GovRadioInput(), choices=[("yes", "Passed"), ("no", "Not passed")],
                        validators=[InputRequired(message="Select whether it was passed")])
    recorded_on = GovukDateField("Date of the result", what="the date of the result")
    stage_code = RadioField("Stage", widget=GovRadioInput(), coerce=str,
                            validators=[InputRequired(message="Select the stage it belongs to")])
    notes = _long("Notes (optional)", "notes")
    submit = SubmitField("Record result", widget=GovSubmitInput())
