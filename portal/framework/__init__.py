"""Programme templates as data, the clock and the progress engine (pure: loader, clock, progress, definitions,
requirement kinds), plus their storage (models, services), the ``portal framework`` commands and the programme
admin pages (views). ``bp`` is the pages' blueprint."""
from flask import Blueprint

bp = Blueprint("framework", __name__, url_prefix="/programmes")
