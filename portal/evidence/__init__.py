"""Evidence files: the one place every evidence kind stores, checks and serves its uploaded files."""
from flask import Blueprint

bp = Blueprint("evidence", __name__, url_prefix="/files")
