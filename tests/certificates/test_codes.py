"""Certificate codes: unambiguous alphabet, readable grouping, typos caught, sloppy typing forgiven."""
from __future__ import annotations

import random
import re

import pytest

from portal.certificates.codes import ALPHABET, InvalidCodeError, generate_code, is_valid_code, normalise_code

CODE = re.compile(r"EPP-[2-9A-HJKMNP-TV-Y]{4}-[2-9A-HJKMNP-TV-Y]{4}-[2-9A-HJKMNP-TV-Y]{2}")


def test_alphabet_has_no_look_alikes() -> None:
    assert not set("0O1IL") & set(ALPHABET)
    assert len(ALPHABET) == len(set(ALPHABET)) == 29


def test_generated_codes_are_grouped_canonical_and_distinct() -> None:
    rng = random.Random(1)
    codes = {generate_code(rng.randrange) for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert CODE.fullmatch(code), code
        assert normalise_code(code) == code
    assert CODE.fullmatch(generate_code())  # the default, secrets-backed source


@pytest.mark.parametrize("typed", [
    "{code}",
    "{lower}",
    "  {lower}  ",
    "{bare}",
    "{bare_lower}",
    "{spaced}",
    "EPP {spaced}",
    "{code_en_dash}",
    "{fullwidth}",
])
def test_normalise_forgives_case_spacing_prefix_and_dashes(typed: str) -> None:
    code = generate_code(random.Random(5).randrange)
    bare = code.replace("-", "")[3:]
    text = typed.format(
        code=code,
        lower=code.lower(),
        bare=bare,
        bare_lower=bare.lower(),
        spaced=" ".join(bare[i:i + 2] for i in range(0, len(bare), 2)),
        code_en_dash=code.replace("-", "\u2013"),
        fullwidth="".join(chr(ord(c) + 0xFEE0) if c != "-" else c for c in code),
    )
    assert normalise_code(text) == code


def test_u_and_z_are_read_as_v_and_2() -> None:
    rng = random.Random(3)
    with_v = next(c for c in iter(lambda: generate_code(rng.randrange), None) if "V" in c[4:])
    with_2 = next(c for c in iter(lambda: generate_code(rng.randrange), None) if "2" in c[4:])
    assert normalise_code("EPP" + with_v[3:].replace("V", "u")) == with_v
    assert normalise_code("EPP" + with_2[3:].replace("2", "Z")) == with_2


def test_every_single_character_typo_is_caught() -> None:
    code = generate_code(random.Random(11).randrange)
    body = code.replace("-", "")[3:]
    for position, original in enumerate(body):
        for wrong in ALPHABET:
            if wrong == original:
                continue
            typo = body[:position] + wrong + body[position + 1:]
            with pytest.raises(InvalidCodeError) as caught:
                normalise_code(typo)
            assert caught.value.reason == "check"


def test_every_swap_of_two_characters_is_caught() -> None:
    rng = random.Random(12)
    for _ in range(20):
        body = generate_code(rng.randrange).replace("-", "")[3:]
        for i in range(len(body)):
            for j in range(i + 1, len(body)):
                if body[i] == body[j]:
                    continue
                swapped = list(body)
                swapped[i], swapped[j] = swapped[j], swapped[i]
                assert not is_valid_code("".join(swapped))


@pytest.mark.parametrize("text,reason,words", [
    ("", "empty", "Enter a certificate code"),
    ("   - -", "empty", "Enter a certificate code"),
    ("EPP-7KQ4-MX9D", "length", "has 8"),
    ("EPP-7KQ4-MX9D-2WW", "length", "has 11"),
    ("EPP-7KQ4-MX9D-2W-7KQ4", "length", "10 characters"),
    ("EPP-7KQ0-MX9D-2W", "character", "zero"),
    ("EPP-7KQO-MX9D-2W", "character", "the letter O"),
    ("EPP-7KQ1-MX9D-2W", "character", "one"),
    ("EPP-7KQI-MX9D-2W", "character", "the letter I"),
    ("epp-7kql-mx9d-2w", "character", "the letter L"),
    ("EPP-7KQ#-MX9D-2W", "character", "'#' is not used"),
])
def test_bad_codes_are_refused_clearly(text: str, reason: str, words: str) -> None:
    with pytest.raises(InvalidCodeError) as caught:
        normalise_code(text)
    assert caught.value.reason == reason
    assert words in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_none_is_refused() -> None:
    with pytest.raises(InvalidCodeError):
        normalise_code(None)  # type: ignore[arg-type]
