"""The anonymisation guard: finds what could identify a child or family in casework text.

Pure and local: regular expressions, check digits and word lists shipped in this package. No text ever
leaves the process.

    from portal.casework.anonymisation import scan, redact
    findings = scan(text, allowed=confirmed_fingerprints)
    safe = redact(text, findings)
"""

from .checks import is_valid_nhs_number, is_valid_ni_number, is_valid_upn
from .model import LABELS, PLACEHOLDERS, Finding, FindingKind, fingerprint_of, normalise
from .scanner import redact, scan, scan_fields

__all__ = [
    "LABELS",
    "PLACEHOLDERS",
    "Finding",
    "FindingKind",
    "fingerprint_of",
    "is_valid_nhs_number",
    "is_valid_ni_number",
    "is_valid_upn",
    "normalise",
    "redact",
    "scan",
    "scan_fields",
]
