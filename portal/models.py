"""Import every model module so ``Base.metadata`` is complete (Alembic and tests use this)."""
from portal.assessments.models import (  # noqa: F401
    Appeal,
    Marking,
    SampleDraw,
    StageSignOff,
    Submission,
    SubmissionEvent,
    SubmissionItem,
    SubmissionVersion,
)
from portal.audit import AuditEvent  # noqa: F401
from portal.auth.models import AccountToken, RecoveryCode  # noqa: F401
from portal.casework.models import CaseworkItem, ConfirmedFinding, FeedbackRequest, SupervisionDiscussion  # noqa: F401
from portal.certificates.models import (  # noqa: F401
    ApiToken,
    Certificate,
    CertificateEvent,
    CheckBatch,
    StatusListCredential,
)
from portal.cpd.models import CpdImport, CpdRecord, CpdRecordStandard  # noqa: F401
from portal.db import Base
from portal.enrolments.models import (  # noqa: F401
    EmploymentPeriod,
    Enrolment,
    EnrolmentDocument,
    EnrolmentExtension,
    EnrolmentPause,
    ExternalResult,
    ReviewMeetingRecord,
    SelfAssessment,
    SupervisorAllocation,
)
from portal.evidence.models import EvidenceFile  # noqa: F401
from portal.framework.models import ProgrammeVersion, StandardsSetVersion  # noqa: F401
from portal.mail import OutboxMessage  # noqa: F401
from portal.notifications.models import Notification, NotificationPreference  # noqa: F401
from portal.oversight.models import RetentionErasure, SentReminder  # noqa: F401
from portal.users.models import Organisation, RoleGrant, Team, TeamMembership, User  # noqa: F401

metadata = Base.metadata
