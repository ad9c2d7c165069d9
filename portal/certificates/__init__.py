"""Certificates: codes, stored snapshots, the PDF, the Open Badges 3.0 credential and its status lists, the register
and its pages, employers' checks and the JSON API.

Database-free core:

* ``codes``        -- human-typable certificate codes with a check character (``generate_code``, ``normalise_code``)
* ``snapshot``     -- ``CertificateSnapshot``: every field a certificate shows, frozen and stored as canonical JSON
* ``pdf``          -- ``render_certificate_pdf(snapshot) -> bytes`` (pure, byte-reproducible, one A4 page)
* ``keys``         -- Ed25519 keys, ``KeyRing`` (sign with the current key, verify with all), JWKS, compact JWS
* ``credentials``  -- ``build_credential`` / ``issue_credential`` / ``verify_credential`` (OB 3.0, VC 2.0)
* ``status_list``  -- W3C Bitstring Status List for revocation and suspension, signed like the credentials

The register and its use:

* ``models``       -- Certificate, CertificateEvent, StatusListCredential, ApiToken, CheckBatch
* ``signing``      -- the signing keys on disk (``CREDENTIAL_KEY_DIR``) loaded into one KeyRing per app
* ``issuing``      -- ``issue_for_sign_off`` and the listeners the assessment feature calls
* ``services``     -- suspend, reinstate, revoke, reissue; ``publishing`` re-signs the status lists
* ``queries``      -- holder's certificates, public status, accreditation by SWE number, admin search
* ``checks``       -- single and bulk (CSV, up to 1,000) accreditation checks; ``tokens`` -- employers' API tokens
* ``export``       -- the practitioner's portable record (ZIP) and its pathway summary PDF
* ``views`` (holder and public pages), ``admin_views``, ``check_views``, ``api`` + ``openapi`` (``/api/v1``), ``cli``
"""
from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("certificates", __name__)
api_bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    """Load the signing keys (when they exist) and register the sign-off listeners with the assessment feature."""
    from . import issuing, signing

    signing.init_app(app)
    issuing.register_listeners()
