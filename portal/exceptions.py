"""Exceptions shared by every feature."""
from __future__ import annotations


class DomainError(Exception):
    """A rule of the service refused the action; ``message`` is shown to the user, ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
