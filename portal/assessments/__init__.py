"""Assessment of stage portfolios: sealed submissions, assessor allocation with conflict rules, rubric marking,
outcomes, moderation with blind second marking, sign-off and appeals.

The pure rules live in modules without a database or Flask, so they can be read and tested on their own:

* ``states``    the submission and appeal states, the outcomes, and the one table of allowed moves
* ``manifest``  the sealed snapshot of a submission: canonical JSON, per-item SHA-256 and one digest
* ``conflicts`` who may not assess, second-mark, moderate or review an appeal, with the reason in plain English
* ``sampling``  which recommendations are second-marked blind, and the agreement rates that follow
* ``calendar``  England and Wales working days, and the 20-working-day appeal window

On top of them: ``models`` (the tables), ``sealing`` (each item's sealed content, the stored manifest),
``access`` (the lock and viewer hooks on casework and CPD), the services (``services`` lists them: submissions,
allocation, marking, moderation, signoff, appeals), ``queries`` (lists, and the progress engine's sign-off source),
``forms`` and the pages (``views_*``).
"""
from flask import Blueprint

bp = Blueprint("assessments", __name__, url_prefix="/assessments")
