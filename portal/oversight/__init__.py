"""Oversight: the employer and programme dashboards with overdue and at-risk flags, the lists behind their numbers
and their exports, the daily reminders and data retention."""
from flask import Blueprint

bp = Blueprint("oversight", __name__)
