"""Enrolments on a programme version: the clock, supervisors and employers over time, reviews and progress."""
from flask import Blueprint

bp = Blueprint("enrolments", __name__)
