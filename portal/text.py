"""Checks on text people type: the one definition of the characters no text field accepts."""
from __future__ import annotations

#: Unicode's bidirectional formatting characters: invisible, they reorder what is shown around them, so a title
#: can display as something other than what it says ("Trojan Source" spoofing). U+202A-U+202E embeddings and
#: overrides, U+2066-U+2069 isolates, U+200E/U+200F the left-to-right and right-to-left marks, U+061C the Arabic
#: letter mark.
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)] + ["\u200e", "\u200f", "\u061c"])

MULTILINE_ALLOWED = frozenset({"\t", "\n", "\r"})


def control_character_problem(value: str, *, multiline: bool = False) -> str | None:
    """What is wrong with ``value``'s characters, as the end of a GOV.UK error message ("<Field> must not
    contain ..."), or None. Refused: C0 and C1 control characters (tab and new lines are allowed in long text)
    and the bidirectional formatting characters."""
    allowed = MULTILINE_ALLOWED if multiline else frozenset()
    if any((ord(c) < 32 or 0x7F <= ord(c) < 0xA0) and c not in allowed for c in value):
        return "control characters"
    if any(c in BIDI_CONTROLS for c in value):
        return "control characters that change the direction of text"
    return None
