from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.forms import BaseForm, NoControlCharacters, email_validators
from portal.users.models import OrganisationKind


class OrganisationForm(BaseForm):
    name = StringField("Organisation name", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the organisation's name"),
                                   Length(max=200, message="Organisation name must be 200 characters or fewer"),
                                   NoControlCharacters()])
    kind = RadioField("Type of organisation", widget=GovRadioInput(),
                      choices=[(k.value, k.label) for k in OrganisationKind],
                      validators=[InputRequired(message="Select the type of organisation")])
    code = StringField("Short code", widget=GovTextInput(),
                       description="2 to 20 capital letters, numbers or hyphens, used in reports, like NSH-CC",
                       validators=[InputRequired(message="Enter a short code"),
                                   Length(max=20, message="Short code must be 20 characters or fewer")])
    submit = SubmitField("Create organisation", widget=GovSubmitInput())


class InviteForm(BaseForm):
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the person's full name"),
                                   Length(max=200, message="Full name must be 200 characters or fewer"),
                                   NoControlCharacters()])
    email = StringField("Email address", widget=GovTextInput(),
                        description="We will send an invitation link to this address",
                        validators=[InputRequired(message="Enter the person's email address"),
                                    *email_validators(), NoControlCharacters()])
    swe_number = StringField("Social Work England registration number (optional)", widget=GovTextInput(),
                             description="For example, SW123456",
                             validators=[Optional(), Length(max=20, message="Registration number must be 20 "
                                                                            "characters or fewer")])
    organisation = SelectField("Organisation", widget=GovSelect(), coerce=str,
                               validators=[InputRequired(message="Select an organisation")])
    role = RadioField("Role", widget=GovRadioInput(), validators=[InputRequired(message="Select a role")])
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class GrantRoleForm(BaseForm):
    organisation = SelectField("Organisation", widget=GovSelect(), coerce=str,
                               validators=[InputRequired(message="Select an organisation")])
    role = RadioField("Role", widget=GovRadioInput(), validators=[InputRequired(message="Select a role")])
    submit = SubmitField("Add role", widget=GovSubmitInput())


class EditUserForm(BaseForm):
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the person's full name"),
                                   Length(max=200, message="Full name must be 200 characters or fewer"),
                                   NoControlCharacters()])
    swe_number = StringField("Social Work England registration number (optional)", widget=GovTextInput(),
                             description="For example, SW123456",
                             validators=[Optional(), Length(max=20, message="Registration number must be 20 "
                                                                            "characters or fewer")])
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class StatusForm(BaseForm):
    reason = TextAreaField("Reason (optional)", widget=GovTextArea(),
                           validators=[Optional(), Length(max=500, message="Reason must be 500 characters or fewer"),
                                       NoControlCharacters(multiline=True)])
    submit = SubmitField("Confirm", widget=GovSubmitInput())


# teams (assessment conflict rule)
class TeamForm(BaseForm):
    name = StringField("Team name", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the team's name"),
                                   Length(max=120, message="Team name must be 120 characters or fewer")])
    submit = SubmitField("Add team", widget=GovSubmitInput())


class TeamMemberForm(BaseForm):
    person = SelectField("Person", widget=GovSelect(), coerce=str,
                         validators=[InputRequired(message="Select a person")])
    submit = SubmitField("Add to team", widget=GovSubmitInput())
