"""Certificate codes: short, human-typable, with a check character that catches typos.

Contract
--------
A code looks like ``EPP-7KQ4-MX9D-2W``: the fixed prefix ``EPP``, then ten characters in groups of 4-4-2. The first
nine are random, the tenth is a check character. Every character comes from a 29-symbol alphabet with none of the
look-alikes ``0 O 1 I L`` (nor ``U`` or ``Z``, which are read as ``V`` and ``2``)::

    23456789ABCDEFGHJKMNPQRSTVWXY

The check character makes ``sum((i + 1) * value(c_i) for i in 0..9) % 29 == 0``. Because 29 is prime and the weights
1..10 are distinct and non-zero modulo 29, *every* single-character substitution and *every* swap of two characters
(adjacent or not) is detected.

Nine random characters give 29**9 ≈ 1.45e13 (43 bits) codes, so guessing a live code is hopeless behind a rate
limit; the database must still hold a unique constraint and the issuer retries on the (vanishingly rare) clash.

``normalise_code(text)`` turns what a person typed or a QR scan gave into the canonical form, forgiving lowercase,
spaces, hyphens and other dashes, full-width forms, a missing ``EPP`` prefix, and the unambiguous look-alikes ``U``
(read as ``V``) and ``Z`` (read as ``2``). Anything else raises :class:`InvalidCodeError`, whose ``reason`` is one of
``"empty"``, ``"length"``, ``"character"`` or ``"check"`` and whose message can be shown to the person.
"""
from __future__ import annotations

import secrets
import unicodedata

__all__ = [
    "ALPHABET",
    "BODY_LENGTH",
    "PREFIX",
    "InvalidCodeError",
    "generate_code",
    "is_valid_code",
    "normalise_code",
]

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXY"
PREFIX = "EPP"
RANDOM_LENGTH = 9
BODY_LENGTH = RANDOM_LENGTH + 1  # nine random characters and the check character
GROUPS = (4, 4, 2)

_BASE = len(ALPHABET)  # 29, a prime: the check character then catches every substitution and every transposition
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_LOOK_ALIKES = {"U": "V", "Z": "2"}  # only where the intended character is not in doubt
_NEVER_USED = {"0": "zero", "O": "the letter O", "1": "one", "I": "the letter I", "L": "the letter L"}
_SEPARATORS = frozenset(" \t\r\n-_.\u00a0\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2009\u202f")

assert _BASE == 29 and len(set(ALPHABET)) == _BASE


class InvalidCodeError(ValueError):
    """The text is not a certificate code; ``reason`` says why, the message says it to a person."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _check_character(random_part: str) -> str:
    total = sum((i + 1) * _VALUE[ch] for i, ch in enumerate(random_part))
    # Solve total + 10 * check ≡ 0 (mod 29); 10 * 3 = 30 ≡ 1, so the inverse of 10 is 3.
    return ALPHABET[(-total * 3) % _BASE]


def _checksum_ok(body: str) -> bool:
    return sum((i + 1) * _VALUE[ch] for i, ch in enumerate(body)) % _BASE == 0


def _format(body: str) -> str:
    parts, start = [], 0
    for size in GROUPS:
        parts.append(body[start:start + size])
        start += size
    return "-".join([PREFIX, *parts])


def generate_code(randbelow=secrets.randbelow) -> str:
    """A new random code in canonical form, e.g. ``EPP-7KQ4-MX9D-2W``.

    ``randbelow`` (default :func:`secrets.randbelow`) can be replaced by a seeded source in tests.
    The caller checks uniqueness against stored codes and asks again on a clash.
    """
    random_part = "".join(ALPHABET[randbelow(_BASE)] for _ in range(RANDOM_LENGTH))
    return _format(random_part + _check_character(random_part))


def normalise_code(text: str) -> str:
    """The canonical code for ``text``, or :class:`InvalidCodeError` saying clearly what is wrong."""
    if text is None:
        raise InvalidCodeError("empty", "Enter a certificate code, like EPP-7KQ4-MX9D-2W.")
    cleaned = "".join(ch for ch in unicodedata.normalize("NFKC", str(text)).upper() if ch not in _SEPARATORS)
    if not cleaned:
        raise InvalidCodeError("empty", "Enter a certificate code, like EPP-7KQ4-MX9D-2W.")
    if cleaned.startswith(PREFIX) and len(cleaned) != BODY_LENGTH:  # a bare body may itself start with "EPP"
        cleaned = cleaned[len(PREFIX):]
    if len(cleaned) != BODY_LENGTH:
        raise InvalidCodeError(
            "length",
            f"A certificate code has {BODY_LENGTH} characters after 'EPP' (like EPP-7KQ4-MX9D-2W); "
            f"this one has {len(cleaned)}.",
        )
    body = []
    for ch in cleaned:
        ch = _LOOK_ALIKES.get(ch, ch)
        if ch not in _VALUE:
            if ch in _NEVER_USED:
                detail = f"Certificate codes never contain {_NEVER_USED[ch]} ('{ch}')"
            else:
                detail = f"'{ch}' is not used in certificate codes"
            raise InvalidCodeError(
                "character",
                f"{detail}. Codes only use the letters and digits {ALPHABET}; check the code and try again.",
            )
        body.append(ch)
    joined = "".join(body)
    if not _checksum_ok(joined):
        raise InvalidCodeError(
            "check", "This certificate code is not valid: a character is probably mistyped. Check it and try again."
        )
    return _format(joined)


def is_valid_code(text: str) -> bool:
    """True when ``text`` normalises to a code (any form ``normalise_code`` accepts)."""
    try:
        normalise_code(text)
    except InvalidCodeError:
        return False
    return True
