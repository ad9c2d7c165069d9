"""The programme template upload: a YAML file or pasted text, checked, previewed, then published."""
from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.forms import BaseForm, NoControlCharacters

MAX_TEMPLATE_BYTES = 1024 * 1024


class UploadForm(BaseForm):
    template_file = FileField("Upload a YAML file", widget=GovFileInput(), validators=[Optional()])
    template_text = TextAreaField("Or paste the template", widget=GovTextArea(),
                                  validators=[Optional(), Length(max=MAX_TEMPLATE_BYTES,
                                                                 message="The template must be smaller than 1 MB")])
    submit = SubmitField("Check template", widget=GovSubmitInput())


class PublishForm(BaseForm):
    # hidden fields are posted back as they were shown, but can be tampered with: the same checks as text fields
    source_yaml = HiddenField(validators=[InputRequired(message="Check the template again before publishing it"),
                                          Length(max=MAX_TEMPLATE_BYTES), NoControlCharacters(multiline=True)])
    source_name = HiddenField(validators=[Length(max=255), NoControlCharacters()])
    submit = SubmitField("Publish", widget=GovSubmitInput())
