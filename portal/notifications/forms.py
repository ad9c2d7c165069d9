"""The e-mail preferences form: one checkbox per kind the person may receive (ticked: e-mail me)."""
from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from wtforms import SelectMultipleField, SubmitField

from portal.forms import BaseForm


class EmailPreferencesForm(BaseForm):
    email = SelectMultipleField("E-mail me when", widget=GovCheckboxesInput(), choices=[],
                                description="You always see notifications here. Untick the e-mails you do not "
                                            "want.")
    submit = SubmitField("Save e-mail settings", widget=GovSubmitInput())


class MarkReadForm(BaseForm):
    """A button that marks one notification (or all) read: only the CSRF token."""
