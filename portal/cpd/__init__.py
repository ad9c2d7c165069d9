"""CPD: Social Work England continuing professional development records, the registration-year check, exports in
SWE's layout and imports of training providers' attendance lists."""
from flask import Blueprint

bp = Blueprint("cpd", __name__, url_prefix="/cpd")

#: the ``attached_type`` of evidence files attached to a CPD record (portal.evidence)
FILE_OWNER = "CpdRecord"
