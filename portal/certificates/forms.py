"""Certificate forms: the shape of the answers (GOV.UK widgets and wording); the rules live in the services."""
from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import FileField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.forms import BaseForm

from .services import REASON_MAX


class VerifyCodeForm(BaseForm):
    code = StringField("Certificate code", widget=GovTextInput(),
                       description="It is printed on the certificate, like EPP-7KQ4-MX9D-2W",
                       validators=[InputRequired(message="Enter a certificate code"),
                                   Length(max=60, message="Certificate code must be 60 characters or fewer")])
    surname = StringField("Holder's surname (optional)", widget=GovTextInput(),
                          description="To check the certificate belongs to the person who gave it to you",
                          validators=[Optional(), Length(max=100, message="Surname must be 100 characters or fewer")])
    submit = SubmitField("Check certificate", widget=GovSubmitInput())


class VerifyCredentialForm(BaseForm):
    credential = TextAreaField("Paste the credential", widget=GovTextArea(),
                               description="The contents of the .jwt file: three parts separated by dots",
                               validators=[Optional(), Length(max=200_000, message="The credential is too long")])
    file = FileField("Or upload the credential file (.jwt)", widget=GovFileInput())
    submit = SubmitField("Check credential", widget=GovSubmitInput())


class ReasonForm(BaseForm):
    reason = TextAreaField("Reason", widget=GovTextArea(),
                           description="The holder can ask to see it; it is kept in the certificate's history",
                           validators=[InputRequired(message="Enter the reason"),
                                       Length(max=REASON_MAX, message=f"Reason must be {REASON_MAX:,} characters "
                                                                      "or fewer")])
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class SingleCheckForm(BaseForm):
    swe_number = StringField("Social Work England registration number", widget=GovTextInput(),
                             description="For example, SW123456",
                             validators=[InputRequired(message="Enter a Social Work England registration number"),
                                         Length(max=20, message="Registration number must be 20 characters or "
                                                                "fewer")])
    submit = SubmitField("Check", widget=GovSubmitInput())


class BulkCheckForm(BaseForm):
    file = FileField("Upload a CSV file", widget=GovFileInput())
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class ApiTokenForm(BaseForm):
    name = StringField("Name", widget=GovTextInput(),
                       description="Say which system uses it, like \u201cHR system (live)\u201d",
                       validators=[InputRequired(message="Enter a name for the token"),
                                   Length(max=100, message="Name must be 100 characters or fewer")])
    submit = SubmitField("Create token", widget=GovSubmitInput())
