"""Import every model module so ``Base.metadata`` is complete (Alembic and tests use this)."""
from portal.audit import AuditEvent  # noqa: F401
from portal.auth.models import AccountToken, RecoveryCode  # noqa: F401
from portal.db import Base
from portal.mail import OutboxMessage  # noqa: F401
from portal.users.models import Organisation, RoleGrant, User  # noqa: F401

metadata = Base.metadata
