"""Casework evidence: case reflections, direct observations, feedback from people without accounts, supervision
records, their verification by the practitioner's supervisor, and the anonymisation guard."""
from flask import Blueprint

bp = Blueprint("casework", __name__, url_prefix="/casework")
#: the pages people without an account reach from a feedback link
feedback_bp = Blueprint("feedback", __name__, url_prefix="/feedback")
