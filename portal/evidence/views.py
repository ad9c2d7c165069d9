"""Downloading an evidence file: only through this route, as an attachment that the browser will not run."""
from __future__ import annotations

from typing import Any

from flask import request, send_file
from flask_login import current_user

from portal import audit
from portal.db import session
from portal.evidence import bp
from portal.evidence.access import can_download_file
from portal.evidence.models import EvidenceFile
from portal.evidence.storage import get_storage
from portal.permissions import requires


@bp.route("/<int:file_id>")
@requires(can_download_file, load=("file_id", EvidenceFile))
def download(evidencefile: EvidenceFile) -> Any:
    audit.record(current_user, "evidence.file_downloaded", evidencefile, ip_address=request.remote_addr,
                 attached_type=evidencefile.attached_type, attached_id=evidencefile.attached_id)
    session().commit()
    mime = evidencefile.content_type
    response = send_file(get_storage().open(evidencefile.storage_key), mimetype=mime, as_attachment=True,
                         download_name=evidencefile.original_name, conditional=False, max_age=0)
    response.content_type = mime  # as stored: werkzeug would add a second "; charset=utf-8" to a text type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "no-store"
    return response
