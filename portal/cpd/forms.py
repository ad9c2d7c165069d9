"""CPD forms: the shape of the answers (GOV.UK widgets and wording). The rules live in ``services.check_answers``."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    FileField,
    MultipleFileField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Optional

from portal.cpd.models import CpdType
from portal.cpd.services import CpdAnswers
from portal.cpd.wording import PEER_HINT, QUESTIONS
from portal.forms import BaseForm, GovukDateField

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class HoursNumber:
    """A number of hours, like 2 or 1.5 (whether it is in range is the service's rule)."""

    def __call__(self, form: Any, field: Any) -> None:
        value = (field.data or "").replace(",", "")
        if not value:
            return
        if not _NUMBER.match(value):
            raise ValidationError(f"{field.label.text} must be a number, like 2 or 1.5")
        if "." in value and len(value.split(".")[1]) > 2:
            raise ValidationError(f"{field.label.text} must have no more than 2 decimal places")


def hours_value(text: str | None) -> Decimal | None:
    value = (text or "").replace(",", "").strip()
    return Decimal(value) if value and _NUMBER.match(value) else None


def _text(label: str, hint: str | None = None) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), description=hint, validators=[Optional()])


class CpdRecordForm(BaseForm):
    #: the practitioner's standards sets, for the checkboxes grouped by set (set by the view)
    standards_sets: tuple[Any, ...] = ()

    title = StringField(QUESTIONS["title"], widget=GovTextInput(), validators=[Optional()],
                        description="For example, the name of the course, article or conference")
    activity_type = RadioField(QUESTIONS["activity_type"], widget=GovRadioInput(),
                               choices=[(t.value, t.label) for t in CpdType], validators=[Optional()])
    start_date = GovukDateField("Start date", what="the start date", required=False,
                                description="For example, 27 3 2026")
    end_date = GovukDateField("End date", what="the end date", required=False,
                              description="The same as the start date for a one-day activity. "
                                          "The end date decides the registration year")
    hours = StringField(QUESTIONS["hours"], widget=GovTextInput(), validators=[Optional(), HoursNumber()],
                        description="Up to 1,000, for example 6 or 1.5")
    participatory_hours = StringField(QUESTIONS["participatory_hours"], widget=GovTextInput(),
                                      validators=[Optional(), HoursNumber()],
                                      description="Hours spent learning with others (not reading alone); "
                                                  "no more than the hours above")
    provider = StringField(QUESTIONS["provider"] + " (optional)", widget=GovTextInput(), validators=[Optional()])
    description = _text(QUESTIONS["description"])
    learning = _text(QUESTIONS["learning"])
    impact_practice = _text(QUESTIONS["impact_practice"])
    impact_people = _text(QUESTIONS["impact_people"],
                          "Do not name children or families. Write 'Child A', 'Parent B'")
    peer_name = StringField(QUESTIONS["peer_name"], widget=GovTextInput(), validators=[Optional()])
    peer_role = StringField(QUESTIONS["peer_role"], widget=GovTextInput(), validators=[Optional()],
                            description="For example, practice supervisor, health visitor or team manager")
    peer_discussed_on = GovukDateField(QUESTIONS["peer_discussed_on"], what="the date of the discussion",
                                       required=False)
    peer_learning = _text(QUESTIONS["peer_learning"], PEER_HINT)
    standards = SelectMultipleField(QUESTIONS["standards"], widget=GovCheckboxesInput(), choices=[],
                                    validate_choice=False)
    files = MultipleFileField("Upload evidence files (optional)", widget=GovFileInput(multiple=True))
    save_draft = SubmitField("Save as draft", widget=GovSubmitInput())
    complete = SubmitField("Save and mark as complete", widget=GovSubmitInput())

    def answers(self) -> CpdAnswers:
        return CpdAnswers(
            title=self.title.data or "",
            activity_type=CpdType.parse(self.activity_type.data or ""),
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            hours=hours_value(self.hours.data),
            participatory_hours=hours_value(self.participatory_hours.data),
            provider=self.provider.data or "",
            description=self.description.data or "",
            learning=self.learning.data or "",
            impact_practice=self.impact_practice.data or "",
            impact_people=self.impact_people.data or "",
            peer_name=self.peer_name.data or "",
            peer_role=self.peer_role.data or "",
            peer_discussed_on=self.peer_discussed_on.data,
            peer_learning=self.peer_learning.data or "",
            standards=list(self.standards.data or []),
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        """Put a service's refusals on their fields (every one, in form order)."""
        for name, message in errors.items():
            field = self._fields.get(name) or self._fields["title"]
            field.errors = [*list(field.errors or []), message]

    @property
    def wants_complete(self) -> bool:
        return bool(self.complete.data)


def form_data_of(record: Any) -> dict[str, Any]:
    """A record's answers as the form shows them (hours without trailing zeros)."""
    def hours(value: Decimal | None) -> str:
        return "" if value is None else f"{value.normalize():f}"

    return {
        "title": record.title, "activity_type": record.activity_type.value if record.activity_type else None,
        "start_date": record.start_date, "end_date": record.end_date, "hours": hours(record.hours),
        "participatory_hours": hours(record.participatory_hours), "provider": record.provider,
        "description": record.description, "learning": record.learning,
        "impact_practice": record.impact_practice, "impact_people": record.impact_people,
        "peer_name": record.peer_name, "peer_role": record.peer_role,
        "peer_discussed_on": record.peer_discussed_on, "peer_learning": record.peer_learning,
        "standards": record.statement_codes,
    }


class DeleteForm(BaseForm):
    submit = SubmitField("Yes, delete this record", widget=GovSubmitInput())


class ImportForm(BaseForm):
    file = FileField("Upload a CSV file", widget=GovFileInput())
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class ConfirmImportForm(BaseForm):
    submit = SubmitField("Import the records", widget=GovSubmitInput())
