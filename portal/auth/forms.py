from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, RadioField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from portal.forms import BaseForm, NoControlCharacters, email_validators


class SignInForm(BaseForm):
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[InputRequired(message="Enter your email address"), *email_validators()])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[InputRequired(message="Enter your password"),
                                         Length(max=256, message="Password must be 256 characters or fewer")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class TwoFactorForm(BaseForm):
    code = StringField(
        "Security code", widget=GovTextInput(),
        description="The 6-digit code from your authenticator app, or one of your recovery codes",
        validators=[InputRequired(message="Enter the security code"),
                    Length(max=20, message="Security code must be 20 characters or fewer")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetPasswordForm(BaseForm):
    password = PasswordField(
        "Create a password", widget=GovPasswordInput(),
        description="Use 12 characters or more. A good way to make a strong password is to use 3 random words",
        validators=[InputRequired(message="Enter a password"),
                    Length(max=256, message="Password must be 256 characters or fewer")])
    confirm = PasswordField("Confirm password", widget=GovPasswordInput(),
                            validators=[InputRequired(message="Confirm your password"),
                                        EqualTo("password", message="Passwords must match")])
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(BaseForm):
    # Declared in page order, so the error summary lists errors in the order of the fields.
    current_password = PasswordField("Current password", widget=GovPasswordInput(),
                                     validators=[InputRequired(message="Enter your current password"),
                                                 Length(max=256)])
    password = SetPasswordForm.password
    confirm = SetPasswordForm.confirm
    submit = SetPasswordForm.submit


class ForgotPasswordForm(BaseForm):
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[InputRequired(message="Enter your email address"), *email_validators(),
                                    NoControlCharacters()])
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class EnableTwoFactorForm(BaseForm):
    code = StringField("Code from your authenticator app", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the 6-digit code from your authenticator app"),
                                   Length(max=10, message="Code must be 6 digits")])
    submit = SubmitField("Turn on two-factor authentication", widget=GovSubmitInput())


class PasswordConfirmForm(BaseForm):
    password = PasswordField("Your password", widget=GovPasswordInput(),
                             validators=[InputRequired(message="Enter your password"), Length(max=256)])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ActionForm(BaseForm):
    """A button that posts (sign out, sign out everywhere, resend): CSRF only."""


class RoleInvitationForm(BaseForm):
    decision = RadioField("Do you want to accept this invitation?", widget=GovRadioInput(),
                          choices=[("accept", "Accept: take this role"), ("decline", "Decline")],
                          validators=[InputRequired(message="Select whether you accept or decline the invitation")])
    submit = SubmitField("Continue", widget=GovSubmitInput())
