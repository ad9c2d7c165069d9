"""The finding type shared by every detector, its labels, placeholders and fingerprint."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class FindingKind(StrEnum):
    PERSON_NAME = "PERSON_NAME"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    DATE = "DATE"
    ADDRESS = "ADDRESS"
    POSTCODE = "POSTCODE"
    SCHOOL = "SCHOOL"
    GP_PRACTICE = "GP_PRACTICE"
    NHS_NUMBER = "NHS_NUMBER"
    UPN = "UPN"
    NI_NUMBER = "NI_NUMBER"
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    CASE_REFERENCE = "CASE_REFERENCE"


LABELS: dict[FindingKind, str] = {
    FindingKind.PERSON_NAME: "Personal name",
    FindingKind.DATE_OF_BIRTH: "Date of birth",
    FindingKind.DATE: "Full date",
    FindingKind.ADDRESS: "Street address",
    FindingKind.POSTCODE: "Postcode",
    FindingKind.SCHOOL: "School or nursery name",
    FindingKind.GP_PRACTICE: "GP practice",
    FindingKind.NHS_NUMBER: "NHS number",
    FindingKind.UPN: "Unique pupil number (UPN)",
    FindingKind.NI_NUMBER: "National Insurance number",
    FindingKind.PHONE: "Phone number",
    FindingKind.EMAIL: "E-mail address",
    FindingKind.CASE_REFERENCE: "Case reference",
}

PLACEHOLDERS: dict[FindingKind, str] = {
    FindingKind.DATE_OF_BIRTH: "[date of birth]",
    FindingKind.DATE: "[date]",
    FindingKind.ADDRESS: "[address]",
    FindingKind.POSTCODE: "[postcode]",
    FindingKind.SCHOOL: "[school]",
    FindingKind.GP_PRACTICE: "[GP practice]",
    FindingKind.NHS_NUMBER: "[NHS number]",
    FindingKind.UPN: "[UPN]",
    FindingKind.NI_NUMBER: "[NI number]",
    FindingKind.PHONE: "[phone number]",
    FindingKind.EMAIL: "[e-mail address]",
    FindingKind.CASE_REFERENCE: "[case reference]",
}

# On overlap the more specific finding wins: a higher number beats a lower one.
PRIORITY: dict[FindingKind, int] = {
    FindingKind.EMAIL: 100,
    FindingKind.NHS_NUMBER: 95,
    FindingKind.UPN: 94,
    FindingKind.NI_NUMBER: 93,
    FindingKind.PHONE: 90,
    FindingKind.POSTCODE: 85,
    FindingKind.DATE_OF_BIRTH: 80,
    FindingKind.CASE_REFERENCE: 75,
    FindingKind.GP_PRACTICE: 70,
    FindingKind.SCHOOL: 65,
    FindingKind.ADDRESS: 60,
    FindingKind.DATE: 55,
    FindingKind.PERSON_NAME: 40,
}

_COMPACT_KINDS = {
    FindingKind.NHS_NUMBER,
    FindingKind.UPN,
    FindingKind.NI_NUMBER,
    FindingKind.POSTCODE,
    FindingKind.CASE_REFERENCE,
}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def fold(text: str) -> str:
    """Case-fold, strip accents and straighten apostrophes: the key used for word lists."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalise(kind: FindingKind | str, text: str) -> str:
    """The form of a finding's text that identifies it, whatever the spacing or case it was typed in."""
    kind = FindingKind(kind)
    if kind in _COMPACT_KINDS:
        return re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if kind is FindingKind.PHONE:
        digits = re.sub(r"\D", "", text)
        if digits.startswith("0044"):
            digits = digits[4:]
        elif text.lstrip().startswith("+") and digits.startswith("44"):
            digits = digits[2:]
        return "0" + digits.lstrip("0")
    if kind is FindingKind.PERSON_NAME:
        text = text.replace(".", " ")
    return " ".join(fold(text).split())


def fingerprint_of(kind: FindingKind | str, text: str) -> str:
    """Stable id of (kind, normalised text); the same for every scan of the same identifier."""
    kind = FindingKind(kind)
    payload = f"{kind.value}\x1f{normalise(kind, text)}".encode()
    return hashlib.sha256(payload).hexdigest()[:32]


@dataclass(frozen=True)
class Finding:
    """One suspected identifier: its kind, where it is, what it says and what to put instead."""

    kind: FindingKind
    start: int
    end: int
    text: str
    suggestion: str
    label: str

    def context(self, source: str, width: int = 30) -> str:
        """The finding with up to `width` characters either side, on one line, for display. Words cut by
        the window are dropped, and "…" marks where the snippet stops short of the source."""
        lo, hi = max(0, self.start - width), min(len(source), self.end + width)
        while 0 < lo < self.start and source[lo - 1].isalnum() and source[lo].isalnum():
            lo += 1
        while self.end < hi < len(source) and source[hi - 1].isalnum() and source[hi].isalnum():
            hi -= 1
        snippet = " ".join(source[lo:hi].split())
        return ("…" if lo > 0 else "") + snippet + ("…" if hi < len(source) else "")

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.kind, self.text)
