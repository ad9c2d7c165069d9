"""Assessment forms: the shape of the answers (GOV.UK widgets and wording). The rules live in the services."""
from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from portal.assessments.states import Outcome, RubricLevel
from portal.forms import BaseForm, GovukDateField

LONG_TEXT = 20000
REASON_TEXT = 5000


def _text(label: str, what: str, *, required: bool = False, limit: int = LONG_TEXT, hint: str = "") -> TextAreaField:
    validators: list[Any] = [InputRequired(message=f"Enter {what}")] if required else [Optional()]
    validators.append(Length(max=limit, message=f"{label} must be {limit} characters or fewer"))
    return TextAreaField(label, widget=GovTextArea(), validators=validators, description=hint)


class StartForm(BaseForm):
    stage = HiddenField()
    submit = SubmitField("Start", widget=GovSubmitInput())


class WorkingCopyForm(BaseForm):
    items = SelectMultipleField("Evidence to include", widget=GovCheckboxesInput(), choices=[],
                                validate_choice=False)
    statement = _text("Summary statement", "your summary statement",
                      hint="How the evidence shows you have met this stage. Do not name children, families or "
                           "places: use ‘Child A’, ‘Parent B’")
    submit = SubmitField("Save and check", widget=GovSubmitInput())


class SubmitForm(BaseForm):
    note = _text("What has changed (optional)", "what has changed", limit=REASON_TEXT)
    submit = SubmitField("Submit portfolio", widget=GovSubmitInput())


def reason_form(label: str, what: str, button: str, *, required: bool = True, hint: str = "") -> type[BaseForm]:
    """A form with one reason and a button (agreement, withdrawal, pause, referral)."""
    return type("ReasonForm", (BaseForm,), {
        "reason": _text(label, what, required=required, limit=REASON_TEXT, hint=hint),
        "submit": SubmitField(button, widget=GovSubmitInput()),
    })


class AllocateForm(BaseForm):
    assessor = RadioField("Assessor", widget=GovRadioInput(), coerce=str,
                          validators=[InputRequired(message="Select an assessor")])
    due_on = GovukDateField("Marking due (optional)", what="the date the marking is due", required=False,
                            description="Leave empty for 20 working days from today")
    submit = SubmitField("Allocate assessor", widget=GovSubmitInput())


class ChoosePersonForm(BaseForm):
    person = RadioField("Person", widget=GovRadioInput(), coerce=str,
                        validators=[InputRequired(message="Select a person")])
    submit = SubmitField("Confirm", widget=GovSubmitInput())


OUTCOME_CHOICES = [(o.value, o.label) for o in Outcome]
LEVEL_CHOICES = [(r.value, r.label) for r in RubricLevel]


class MarkingBase(BaseForm):
    lock_version = HiddenField()
    outcome = RadioField("Overall outcome", widget=GovRadioInput(), choices=OUTCOME_CHOICES, validators=[Optional()])
    feedback = _text("Feedback to the practitioner", "your feedback")
    development_points = _text("Targeted development points", "the development points",
                               hint="For a pass with targeted development: what to work on next")
    missing_evidence = _text("What evidence is missing", "what evidence is missing",
                             hint="For incomplete evidence: what the practitioner must add")
    incomplete_deadline = GovukDateField("Deadline for the missing evidence (optional)", required=False,
                                         what="the deadline for the missing evidence",
                                         description="Leave empty for 14 days from today (moved to a working day)")
    extend_to = GovukDateField("New due date", required=False, what="the new due date",
                               description="For an extension: when the practitioner must resubmit by")
    save = SubmitField("Save draft", widget=GovSubmitInput())
    finish = SubmitField("Finish marking", widget=GovSubmitInput())


def marking_form(requirements: list[Any]) -> type[BaseForm]:
    """The marking form for a stage: per requirement a rubric level (``level_1`` ...) and feedback
    (``feedback_1`` ...), in the stage's order, then the overall outcome and its fields."""
    fields: dict[str, Any] = {}
    for n, requirement in enumerate(requirements, 1):
        fields[f"level_{n}"] = RadioField(requirement.title, widget=GovRadioInput(), choices=LEVEL_CHOICES,
                                          validators=[Optional()])
        fields[f"feedback_{n}"] = TextAreaField(f"Feedback on ‘{requirement.title}’ (optional)",
                                                widget=GovTextArea(),
                                                validators=[Optional(), Length(max=LONG_TEXT)])
    return type("MarkingForm", (MarkingBase,), fields)


class ModerateForm(BaseForm):
    decision = RadioField("Your decision", widget=GovRadioInput(),
                          choices=[("confirm", "Confirm the recommendation"),
                                   ("return", "Return it to the assessor")],
                          validators=[InputRequired(message="Select whether you confirm or return it")])
    reasons = _text("Reasons", "your reasons", required=True, limit=REASON_TEXT)
    submit = SubmitField("Record decision", widget=GovSubmitInput())


class DrawForm(BaseForm):
    panel = HiddenField(validators=[InputRequired(message="Select a panel")])
    submit = SubmitField("Draw the sample", widget=GovSubmitInput())


class AppealForm(BaseForm):
    grounds = _text("Your grounds for appeal", "your grounds for appeal", required=True,
                    hint="Why the decision should be changed: a mistake in the process, evidence not considered, or "
                         "a conflict of interest")
    submit = SubmitField("Lodge appeal", widget=GovSubmitInput())


class DecideAppealForm(BaseForm):
    result = RadioField("Outcome of the appeal", widget=GovRadioInput(),
                        choices=[("upheld", "Upheld: the decision is replaced"),
                                 ("dismissed", "Dismissed: the decision stands")],
                        validators=[InputRequired(message="Select the outcome of the appeal")])
    replacement = RadioField("What replaces the decision (if upheld)", widget=GovRadioInput(), coerce=str,
                             choices=[("PASS", "Pass"), ("PASS_DEV", "Pass with targeted development"),
                                      ("reassess", "A fresh assessment by another assessor")],
                             validators=[Optional()])
    assessor = SelectField("Assessor for a fresh assessment", widget=GovSelect(), coerce=str,
                           validators=[Optional()])
    reasons = _text("Reasons", "the reasons for the outcome", required=True, limit=REASON_TEXT)
    submit = SubmitField("Record outcome", widget=GovSubmitInput())
