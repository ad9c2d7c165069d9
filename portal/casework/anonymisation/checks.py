"""Check-digit and format validators for NHS numbers, unique pupil numbers and NI numbers."""

from __future__ import annotations

import re

_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
# DfE: the check letter and a temporary UPN's final letter use this 23-letter alphabet (no I, O, S).
UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
# HMRC: letters never used as the first / second prefix letter, and prefixes never allocated.
_NI_BAD_FIRST = set("DFIQUV")
_NI_BAD_SECOND = set("DFIOQUV")
_NI_BAD_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
_NI_RE = re.compile(r"([A-Z]{2})(\d{6})([A-D]?)")


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for nine digits, or None when no valid NHS number starts with them."""
    total = sum(int(d) * w for d, w in zip(first_nine, _NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs_number(value: str) -> bool:
    """True for a 10-digit NHS number (spaces and hyphens ignored) whose check digit is right."""
    digits = re.sub(r"[\s-]", "", value)
    if len(digits) != 10 or not digits.isdigit():
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


def upn_check_letter(body: str) -> str:
    """The DfE check letter for the 12 characters after it (digits, and a final letter if temporary)."""
    total = 0
    for weight, ch in enumerate(body, start=2):
        total += weight * (int(ch) if ch.isdigit() else UPN_ALPHABET.index(ch))
    return UPN_ALPHABET[total % 23]


def is_valid_upn(value: str) -> bool:
    """True for a 13-character UPN: check letter, then 12 digits or 11 digits and a letter."""
    upn = value.strip().upper()
    if len(upn) != 13 or upn[0] not in UPN_ALPHABET or not upn[1:12].isdigit():
        return False
    last = upn[12]
    if not (last.isdigit() or last in UPN_ALPHABET):
        return False
    return upn_check_letter(upn[1:]) == upn[0]


def is_valid_ni_number(value: str, *, require_suffix: bool = True) -> bool:
    """True for an NI number in HMRC's format (two prefix letters, six digits, suffix A-D)."""
    m = _NI_RE.fullmatch(re.sub(r"\s", "", value).upper())
    if not m:
        return False
    prefix, _, suffix = m.groups()
    if require_suffix and not suffix:
        return False
    return (
        prefix[0] not in _NI_BAD_FIRST
        and prefix[1] not in _NI_BAD_SECOND
        and prefix not in _NI_BAD_PREFIXES
    )
