"""In-app notifications with an unread count, and per-kind e-mail preferences; ``services.notify`` is how every
feature tells someone that something happened (the e-mail goes through the outbox in the same transaction)."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)
