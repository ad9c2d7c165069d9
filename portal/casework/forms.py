"""Casework forms: the shape of the answers (GOV.UK widgets and wording). The rules live in the services."""
from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from portal.casework.kinds import (
    ACTIVITY_CHOICES,
    CASE_REFERENCE_HINT,
    CATEGORY_CHOICES,
    FIELDS,
    RESPONDENT_CHOICES,
    ROLE_CHOICES,
    TextField,
)
from portal.casework.models import CaseworkKind
from portal.casework.services import CONFIRMATIONS
from portal.forms import BaseForm, GovukDateField, email_validators


def _text(spec: TextField, *, optional: bool = False) -> TextAreaField:
    validators: list[Any] = [Optional()] if optional or not spec.required else [
        InputRequired(message=f"Enter {spec.label[:1].lower() + spec.label[1:]}")]
    validators.append(Length(max=spec.max_length,
                             message=f"{spec.label} must be {spec.max_length} characters or fewer"))
    return TextAreaField(spec.label, widget=GovTextArea(), description=spec.hint, validators=validators)


def _spec(kind: CaseworkKind, name: str) -> TextField:
    return next(f for f in FIELDS[kind] if f.name == name)


def _case_reference() -> StringField:
    return StringField("Case reference", widget=GovTextInput(), description=CASE_REFERENCE_HINT,
                       validators=[InputRequired(message="Enter a case reference, like Case 14 or Case A"),
                                   Length(max=40, message="Case reference must be 40 characters or fewer")])


def _statements(label: str = "Standards this evidences") -> SelectMultipleField:
    return SelectMultipleField(label, widget=GovCheckboxesInput(), choices=[], validate_choice=False,
                               description="Select all that apply")


def _files() -> MultipleFileField:
    return MultipleFileField("Upload files (optional)", widget=GovFileInput(multiple=True),
                             description="PDF, DOCX, XLSX, PPTX, PNG, JPEG or TXT. Files must not identify a child "
                                         "or family")


_RC = CaseworkKind.CASE_REFLECTION
_DO = CaseworkKind.DIRECT_OBSERVATION
_CF = CaseworkKind.CHILD_FAMILY_FEEDBACK
_PF = CaseworkKind.PROFESSIONAL_FEEDBACK
_SR = CaseworkKind.SUPERVISION_RECORD


class ReflectionForm(BaseForm):
    occurred_on = GovukDateField("Date of the activity", what="the date of the activity",
                                 description="For example, 3 3 2026")
    case_reference = _case_reference()
    category = RadioField("Category", widget=GovRadioInput(), choices=CATEGORY_CHOICES,
                          validators=[InputRequired(message="Select the category of the case")])
    activity = SelectField("Activity", widget=GovSelect(), choices=[("", "Select the activity"), *ACTIVITY_CHOICES],
                           validators=[InputRequired(message="Select the activity")])
    practitioner_role = RadioField("Your role", widget=GovRadioInput(), choices=ROLE_CHOICES,
                                   validators=[InputRequired(message="Select your role")])
    account = _text(_spec(_RC, "account"))
    analysis = _text(_spec(_RC, "analysis"))
    reflection = _text(_spec(_RC, "reflection"))
    statements = _statements()
    files = _files()
    submit = SubmitField("Save", widget=GovSubmitInput())


class ObservationForm(BaseForm):
    occurred_on = GovukDateField("Date of the observation", what="the date of the observation",
                                 description="For example, 3 3 2026")
    case_reference = _case_reference()
    activity = SelectField("Activity observed (optional)", widget=GovSelect(),
                           choices=[("", "Select the activity"), *ACTIVITY_CHOICES], validators=[Optional()])
    observed = _text(_spec(_DO, "observed"))
    strengths = _text(_spec(_DO, "strengths"))
    development = _text(_spec(_DO, "development"))
    statements = _statements("Standards observed against")
    submit = SubmitField("Save observation", widget=GovSubmitInput())


class PractitionerReflectionForm(BaseForm):
    """The practitioner's part of an observation or a piece of feedback."""

    reflection = _text(_spec(_DO, "reflection"))
    statements = _statements()
    files = _files()
    submit = SubmitField("Save", widget=GovSubmitInput())


class FamilyFeedbackForm(BaseForm):
    occurred_on = GovukDateField("Date of the feedback", what="the date of the feedback",
                                 description="For example, 3 3 2026")
    case_reference = _case_reference()
    respondent = RadioField("Who gave the feedback", widget=GovRadioInput(), choices=RESPONDENT_CHOICES,
                            validators=[InputRequired(message="Select who gave the feedback")])
    went_well = _text(_spec(_CF, "went_well"))
    even_better = _text(_spec(_CF, "even_better"))
    reflection = _text(_spec(_CF, "reflection"), optional=True)
    statements = _statements()
    files = _files()
    submit = SubmitField("Save", widget=GovSubmitInput())


class FeedbackRequestForm(BaseForm):
    kind = RadioField("Who is the feedback from?", widget=GovRadioInput(),
                      choices=[(_CF.value, "A child or family member"), (_PF.value, "Another professional")],
                      validators=[InputRequired(message="Select who the feedback is from")])
    email = StringField("Their email address", widget=GovTextInput(),
                        description="We send the link to this address and do not keep it in your portfolio",
                        validators=[InputRequired(message="Enter their email address"), *email_validators()])
    respondent_description = StringField(
        "How you will recognise their feedback", widget=GovTextInput(),
        description="Not their name. For example, Parent B or Health visitor",
        validators=[InputRequired(message="Enter how you will recognise their feedback, like Parent B"),
                    Length(max=100, message="This must be 100 characters or fewer")])
    case_reference = _case_reference()
    submit = SubmitField("Send the link", widget=GovSubmitInput())


class FamilyRespondentForm(BaseForm):
    respondent = RadioField("Who are you?", widget=GovRadioInput(), choices=RESPONDENT_CHOICES,
                            validators=[InputRequired(message="Select who you are")])
    went_well = TextAreaField("What went well in your contact with the social worker?", widget=GovTextArea(),
                              description="Please do not include names, addresses or dates of birth",
                              validators=[InputRequired(message="Enter what went well"),
                                          Length(max=5000, message="This must be 5000 characters or fewer")])
    even_better = TextAreaField("What could have been better? (optional)", widget=GovTextArea(),
                                validators=[Optional(), Length(max=5000, message="This must be 5000 characters "
                                                                                 "or fewer")])
    submit = SubmitField("Send feedback", widget=GovSubmitInput())


class ProfessionalRespondentForm(BaseForm):
    respondent = StringField("Your role", widget=GovTextInput(), description="For example, health visitor or "
                                                                             "designated safeguarding lead",
                             validators=[InputRequired(message="Enter your role"),
                                         Length(max=100, message="Your role must be 100 characters or fewer")])
    went_well = TextAreaField("What did the social worker do well?", widget=GovTextArea(),
                              description="Please do not include the names or details of children or families",
                              validators=[InputRequired(message="Enter what the social worker did well"),
                                          Length(max=5000, message="This must be 5000 characters or fewer")])
    even_better = TextAreaField("What could they do differently? (optional)", widget=GovTextArea(),
                                validators=[Optional(), Length(max=5000, message="This must be 5000 characters "
                                                                                 "or fewer")])
    submit = SubmitField("Send feedback", widget=GovSubmitInput())


class SupervisionForm(BaseForm):
    occurred_on = GovukDateField("Date of the supervision", what="the date of the supervision",
                                 description="For example, 3 3 2026")
    agenda = _text(_spec(_SR, "agenda"))
    discussion = _text(_spec(_SR, "discussion"))
    actions = _text(_spec(_SR, "actions"))
    discussed = SelectMultipleField("Evidence discussed", widget=GovCheckboxesInput(), choices=[], coerce=int,
                                    validate_choice=True, description="Each item will show that it was discussed "
                                                                      "in this supervision once you both sign")
    statements = _statements("Standards this evidences (optional)")
    submit = SubmitField("Save", widget=GovSubmitInput())


class VerifyForm(BaseForm):
    confirmed = SelectMultipleField("Confirm", widget=GovCheckboxesInput(), choices=list(CONFIRMATIONS.items()),
                                    validators=[InputRequired(message="Confirm each statement to verify this item")])
    comment = TextAreaField("Comment (optional)", widget=GovTextArea(),
                            validators=[Optional(), Length(max=5000, message="Comment must be 5000 characters or "
                                                                             "fewer")])
    submit = SubmitField("Verify", widget=GovSubmitInput())


class CosignForm(BaseForm):
    comment = TextAreaField("Comment (optional)", widget=GovTextArea(),
                            validators=[Optional(), Length(max=5000, message="Comment must be 5000 characters or "
                                                                             "fewer")])
    submit = SubmitField("Co-sign", widget=GovSubmitInput())


class DeclineForm(BaseForm):
    reason = TextAreaField("Why are you declining it?", widget=GovTextArea(),
                           description="The practitioner will see this and can change the item and ask again",
                           validators=[InputRequired(message="Enter the reason you are declining this item"),
                                       Length(max=5000, message="Reason must be 5000 characters or fewer")])
    submit = SubmitField("Decline", widget=GovSubmitInput())


class CommentForm(BaseForm):
    comment = TextAreaField("Add a comment", widget=GovTextArea(),
                            validators=[InputRequired(message="Enter a comment"),
                                        Length(max=5000, message="Comment must be 5000 characters or fewer")])
    submit = SubmitField("Add comment", widget=GovSubmitInput())


class ChooseEnrolmentForm(BaseForm):
    class Meta:
        csrf = False  # a GET form that only chooses where to go next

    enrolment = SelectField("Whose practice did you observe?", widget=GovSelect(), coerce=str,
                            validators=[InputRequired(message="Select the practitioner you observed")])
    submit = SubmitField("Continue", widget=GovSubmitInput())
