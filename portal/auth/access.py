"""Who may do what with sign-in sessions."""
from __future__ import annotations

from typing import Any

from portal.auth.models import UserSession
from portal.permissions import can_use_account


def can_end_session(user: Any, user_session: UserSession | None) -> bool:
    """Anyone signed in may sign out their own sessions, and nobody else's."""
    return (can_use_account(user) and user_session is not None and user_session.user_id == user.id
            and user_session.revoked_at is None)
