"""The questions of a CPD record, in the order and wording of Social Work England's own CPD form, so the form,
the record page and the exports say the same thing and a practitioner can paste answers across.

Social Work England's online form asks for the type of activity, a short description and why it is relevant,
the date, what was learnt, the impact on practice and on the people the social worker works with, and
(optionally, marked 'P') what was learnt from discussing the activity with a peer. Hours, participatory hours
and the provider are extra questions (the NMC asks for hours); they come after SWE's questions in exports.
"""
from __future__ import annotations

#: (field name, question) in Social Work England's form order; every export walks this list
SWE_FORM_ORDER: tuple[tuple[str, str], ...] = (
    ("title", "Title of the CPD activity"),
    ("activity_type", "Type of CPD activity"),
    ("start_date", "Start date"),
    ("end_date", "End date"),
    ("description", "Describe the CPD activity and why it is relevant to your practice"),
    ("learning", "What have you learnt from this CPD activity?"),
    ("impact_practice", "What impact has this learning had, or will it have, on your practice?"),
    ("impact_people", "What impact has it had, or will it have, on the people you work with?"),
    ("peer_name", "Name of the peer you discussed this CPD activity with"),
    ("peer_role", "Peer's role"),
    ("peer_discussed_on", "Date of the discussion"),
    ("peer_learning", "Describe what you have learnt from discussing this CPD activity with a peer"),
    ("standards", "Professional standards this CPD relates to"),
    ("hours", "Hours"),
    ("participatory_hours", "Participatory hours"),
    ("provider", "Provider"),
    ("files", "Evidence files"),
    ("status", "Status"),
)
QUESTIONS = dict(SWE_FORM_ORDER)

#: Short names used in error messages ("Enter what you have learnt")
MISSING = {
    "activity_type": "Select the type of CPD activity",
    "title": "Enter a title for the CPD activity",
    "start_date": "Enter the start date",
    "end_date": "Enter the end date",
    "hours": "Enter the hours",
    "description": "Describe the CPD activity and why it is relevant to your practice",
    "learning": "Enter what you have learnt from this CPD activity",
    "impact_practice": "Enter the impact on your practice",
    "impact_people": "Enter the impact on the people you work with",
    "peer_name": "Enter the name of the peer you discussed this with",
    "peer_role": "Enter your peer's role",
    "peer_discussed_on": "Enter the date of the discussion",
    "peer_learning": "Describe what you have learnt from discussing this CPD activity with a peer",
}

PEER_HINT = ("By answering this question you meet Social Work England's requirement to record at least one "
             "piece of CPD with a peer reflection each registration year.")
