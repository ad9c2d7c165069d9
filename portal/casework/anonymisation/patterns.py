"""Detectors for identifiers with a recognisable shape: numbers, contacts, postcodes, dates,
addresses, schools, GP practices and case-management references."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from . import checks
from .lexicon import PLACES, TERMS, words
from .model import FindingKind as K
from .model import fold


@dataclass(slots=True)
class Hit:
    kind: K
    start: int
    end: int
    role: str | None = None  # names only: "Child", "Parent" or "Person"
    entity: int | None = None  # names only: occurrences of one person share an entity number


def _free(text: str, start: int, also: str = "") -> bool:
    """True when the character before `start` does not glue a match to the word before it.

    (Leading look-behinds are checked here rather than in the patterns: a pattern that starts with a
    plain character class lets the regex engine skip ahead quickly.)"""
    if start == 0:
        return True
    c = text[start - 1]
    return not (c.isalnum() or c == "_" or c in also)


# --- numbers ---------------------------------------------------------------------------------------------

_NUMBER_LABEL_BEFORE = re.compile(r"(?i)\b(?:isbn(?:-1[03])?|issn|doi|invoice|order|account|sort\s+code)\b[\s:#.-]*$")
_NHS_RE = re.compile(r"\d{3}([ -]?)\d{3}\1\d{4}(?![\w/-]|\.\d)")
_UPN_RE = re.compile(r"[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z](?![\w-])")
_NI_DIGITS = re.compile(r"\d{2}\s?\d{2}\s?\d{2}(?:\s?([A-Da-d]))?(?![\w-])")
_NI_PREFIX_BEFORE = re.compile(r"([A-Za-z]{2})\s?$")
_NI_CONTEXT = re.compile(r"(?i)\b(?:NI|NINO|national\s+insurance)\b[^.\n]{0,25}$")
_PHONE_RE = re.compile(r"(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(0|0)\d+(?:(?:\)\s?|\s?-\s?|[ .])\d+)*")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._%+-]*[A-Za-z0-9_])?$")
_EMAIL_DOMAIN = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])")


def _numbers(text: str) -> Iterator[Hit]:
    at = text.find("@")
    while at != -1:  # e-mail addresses: grow each "@" outwards
        local = _EMAIL_LOCAL.search(text, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if local and domain and _free(text, local.start(), ".+-"):
            yield Hit(K.EMAIL, local.start(), domain.end())
        at = text.find("@", at + 1)
    for m in _NHS_RE.finditer(text):
        if (
            _free(text, m.start(), "+/.-")
            and checks.is_valid_nhs_number(m.group(0))
            and not _NUMBER_LABEL_BEFORE.search(text, max(0, m.start() - 20), m.start())
        ):
            yield Hit(K.NHS_NUMBER, m.start(), m.end())
    for m in _UPN_RE.finditer(text):
        if _free(text, m.start(), "-") and checks.is_valid_upn(m.group(0)):
            yield Hit(K.UPN, m.start(), m.end())
    for m in _NI_DIGITS.finditer(text):
        prefix = _NI_PREFIX_BEFORE.search(text, max(0, m.start() - 3), m.start())
        if not prefix or not _free(text, prefix.start(), "-"):
            continue
        start = prefix.start()
        found = text[start : m.end()]
        has_context = bool(_NI_CONTEXT.search(text, max(0, start - 40), start))
        if not m.group(1) and not has_context:
            continue
        if not has_context and not found.isupper():
            continue  # lower-case letter-digit runs are too loose without a label
        if checks.is_valid_ni_number(found, require_suffix=False):
            yield Hit(K.NI_NUMBER, start, m.end())
    for m in _PHONE_RE.finditer(text):
        end = _phone_end(m.group(0))
        if end and _free(text, m.start(), "+"):
            yield Hit(K.PHONE, m.start(), m.start() + end)


def _national_digits(candidate: str) -> str:
    digits = re.sub(r"\D", "", candidate)
    stripped = candidate.lstrip()
    if stripped.startswith(("+", "00")):
        digits = digits[4:] if stripped.startswith("00") else digits[2:]
        return "0" + digits.lstrip("0")
    return digits


def _phone_end(candidate: str) -> int:
    """Length of the longest prefix (ending on a digit group) that is a UK landline or mobile number."""
    ends = [m.end() for m in re.finditer(r"\d+", candidate)]
    for end in reversed(ends):
        national = _national_digits(candidate[:end])
        prefix, length = national[:2], len(national)
        if (prefix in ("02", "03", "07") and length == 11) or (prefix == "01" and length in (10, 11)):
            return end
    return 0


# --- postcodes -------------------------------------------------------------------------------------------

_POSTCODE_RE = re.compile(r"([A-Za-z]{1,2})\d[A-Za-z\d]? ?\d[A-Za-z]{2}(?![\w-])")
# The official pattern (Royal Mail / GOV.UK data standards), applied to the upper-cased candidate.
_POSTCODE_OFFICIAL = re.compile(
    r"GIR ?0AA|[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d[\dABEHMNPRV-Y]?|\d[A-HJKPS-UW]) ?\d[ABD-HJLNP-UW-Z]{2}"
)
POSTCODE_AREAS = words("""AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX
    FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE
    NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ
    TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE""")


def _postcodes(text: str) -> Iterator[Hit]:
    for m in _POSTCODE_RE.finditer(text):
        code = m.group(0)
        if not _free(text, m.start(), "-") or not _POSTCODE_OFFICIAL.fullmatch(code.upper()):
            continue
        canonical = code.isupper() and " " in code
        if canonical or m.group(1).upper() in POSTCODE_AREAS:
            yield Hit(K.POSTCODE, m.start(), m.end())


# --- dates -----------------------------------------------------------------------------------------------

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?,?\s+"
_YEAR = r"(?:19|20)\d{2}"
_MONTH_FIND = re.compile(
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?)\.?(?![a-z])"
)  # run on the lower-cased text
_DAY_BEFORE = re.compile(rf"(?i)(?:\b{_WEEKDAY}(?:the\s+)?)?\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?$")
_YEAR_AFTER = re.compile(rf",?\s+(?:{_YEAR}|'\d{{2}})(?!\d)")
_DAY_YEAR_AFTER = re.compile(rf"\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}(?!\d)", re.IGNORECASE)
_WEEKDAY_BEFORE = re.compile(rf"(?i)\b{_WEEKDAY}$")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2((?:19|20)\d{2}|\d{2})(?![\d/\-]|\.\d)")
_ISO_DATE = re.compile(r"((?:19|20)\d{2})([/.\-])(\d{1,2})\2(\d{1,2})(?![\d/\-]|\.\d)")
_DOB_BEFORE = re.compile(
    r"(?i)(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bborn\b|\bbirthday\b)[^.;\n]{0,30}$"
)
_DOB_PARTIAL = re.compile(
    rf"(?i)\b(?:d\.?o\.?b\.?|date\s+of\s+birth)\s*(?:is|was|:|-|–)?\s*({_MONTH}\s+{_YEAR}|\d{{1,2}}[/.-]{_YEAR}|{_YEAR})(?!\d)"
)


def _valid_day_month(a: int, b: int) -> bool:
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= b <= 31 and 1 <= a <= 12)


def _dates(text: str) -> Iterator[Hit]:
    spans: list[tuple[int, int]] = []
    for month in _MONTH_FIND.finditer(text.lower()):
        if not _free(text, month.start()):
            continue
        window = max(0, month.start() - 40)
        before = _DAY_BEFORE.search(text, window, month.start())
        year = _YEAR_AFTER.match(text, month.end())
        if before and year and 1 <= int(before.group(1)) <= 31:  # "3 March 2019", "Mon 3rd of March, 2019"
            spans.append((before.start(), year.end()))
            continue
        after = _DAY_YEAR_AFTER.match(text, month.end())
        if after and 1 <= int(after.group(1)) <= 31:  # "March 3rd, 2019"
            weekday = _WEEKDAY_BEFORE.search(text, window, month.start())
            spans.append((weekday.start() if weekday else month.start(), after.end()))
    for m in _NUMERIC_DATE.finditer(text):
        if _free(text, m.start(), "/.-") and _valid_day_month(int(m.group(1)), int(m.group(3))):
            spans.append((m.start(), m.end()))
    for m in _ISO_DATE.finditer(text):
        if _free(text, m.start(), "/.-") and 1 <= int(m.group(3)) <= 12 and 1 <= int(m.group(4)) <= 31:
            spans.append((m.start(), m.end()))
    for start, end in spans:
        is_dob = bool(_DOB_BEFORE.search(text[max(0, start - 45) : start]))
        yield Hit(K.DATE_OF_BIRTH if is_dob else K.DATE, start, end)
    for m in _DOB_PARTIAL.finditer(text):
        yield Hit(K.DATE_OF_BIRTH, m.start(1), m.end(1))


# --- case references -------------------------------------------------------------------------------------

_COURT_NUMBER = re.compile(r"[A-Z]{2}\d{2}[CPZ]\d{5}\b")
_PREFIXED_REF = re.compile(r"[A-Z]{1,6}(?:[-/][A-Z0-9]{1,8})*[-/]\d{4,}(?![\w/-])")
# An id: upper-case letters and digits in one or more parts joined by "-" or "/" ("LCS-123456",
# "2023/CP/00917", "1234567"). Labelled ids need 4+ digits; unlabelled ones need letters and 2+ joins.
_ID_CANDIDATE = re.compile(r"[A-Z0-9]+(?:[-/][A-Z0-9]+)*(?![\w/-])")
_ID_LABEL_BEFORE = re.compile(
    r"(?i)\b(?:case|ref|reference|id|identifier|client|record|file|mosaic|lcs|liquidlogic|ehm|eclipse|carefirst"
    r"|care\s+first|protocol|ics|azeus|frameworki|system)\b(?:\s+(?:number|no|num|ref|reference|id|identifier"
    r"|code)\b\.?)?\s*(?:is|was|:|#|-|–)?\s*$"
)
_BARE_DIGITS = re.compile(r"\d{7,}(?![\w/-]|[.,]\d)")


def _case_references(text: str) -> Iterator[Hit]:
    for m in _COURT_NUMBER.finditer(text):
        if _free(text, m.start()):
            yield Hit(K.CASE_REFERENCE, m.start(), m.end())
    for m in _PREFIXED_REF.finditer(text):
        if _free(text, m.start(), "/-") and not m.group(0).upper().startswith(("ISBN", "ISSN", "DOI", "COVID", "KS")):
            yield Hit(K.CASE_REFERENCE, m.start(), m.end())
    for m in _ID_CANDIDATE.finditer(text):
        found, start = m.group(0), m.start()
        digits = sum(c.isdigit() for c in found)
        if digits < 4 or not _free(text, start, "/-"):
            continue
        if _ID_LABEL_BEFORE.search(text, max(0, start - 40), start):
            yield Hit(K.CASE_REFERENCE, start, m.end())
        elif found.count("/") >= 2 and any(c.isalpha() for c in found):
            yield Hit(K.CASE_REFERENCE, start, m.end())  # "2023/CP/00917"
    for m in _BARE_DIGITS.finditer(text):
        if _free(text, m.start(), "£$€.,/-") and not _NUMBER_LABEL_BEFORE.search(text, max(0, m.start() - 20), m.start()):
            yield Hit(K.CASE_REFERENCE, m.start(), m.end())


# --- named places: schools, GP practices, addresses --------------------------------------------------------

_WORD_BEFORE = re.compile(r"(?<![\w'’])([A-Z][\w'’-]*|St\.|[A-Z]\.|of|and|&|the|de|upon|on|in)[ \t]+$")
_LEADING_NOISE = words("""the a an at in on to from by for with into onto near off along towards opposite via and or of her his
    their our my your its this that attends attended attending joined moved visited yesterday today when while
    after before both since until""")
_CONNECTORS = words("of and & the de upon on in")
_GENERIC_ORG_WORDS = words("""primary secondary infant infants junior senior high grammar free special community nursery village first
    middle upper lower sixth form school schools academy college virtual forest local alternative hospital home
    pre-school preschool catholic c e ce rc church england of children's childrens centre center family pupil
    referral unit independent state faith boarding residential day further education training sunday holiday
    breakfast after summer reception year key stage designated head teacher open early years sure start royal
    new main central city town county borough council gp nhs health medical doctors doctor's doctors' practice
    surgery group walk-in urgent care dental paediatric general the st saint and & parent parents foster contact
    play playgroup baby toddler police military army""")
_SCHOOL_SUFFIX = re.compile(
    r"\b(?:School|Academy|College|Nursery|Pre-?[Ss]chool|Playgroup|Children['’]s Centre|Pupil Referral Unit"
    r"|Primary(?! School| Academy| Care| Mental| care)|Infants(?! School))\b"
)
_GP_SUFFIX = re.compile(
    r"\b(?:Surgery|Medical Centre|Medical Practice|Health Centre|Healthcare Centre|Medical Group|Family Practice"
    r"|Group Practice|Health Practice|Primary Care Centre|Family Doctors)\b"
)
_DR_PRACTICE = re.compile(
    r"(?:Dr|Doctor)\.?\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?(?:['’]s|s['’])?\s+(?:GP\s+)?(?:[Pp]ractice|[Ss]urgery)\b"
)
_YSGOL = re.compile(r"\bYsgol(?:\s+(?:[A-Z][\w'’-]*|y|yr|a|ac))*\s+[A-Z][\w'’-]*")
_STREET_SUFFIX = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Close|Drive|Way|Crescent|Court|Place|Terrace|Gardens|Grove|Hill"
    r"|Park|Square|Walk|View|Rise|Mews|Row|Green|Parade|Vale|Gate|Mount|Yard|Wharf|Boulevard|Croft|Fold|Chase"
    r"|Meadow|Meadows|Heights|Grange|Bank|Brow|Wynd|Garth|Approach|Circus|Esplanade|Promenade|Quay|Side|End"
    r"|Lea|Leys|Walkway)\b\.?"
)
_FLAT_BEFORE = re.compile(r"\b(?i:flat|apartment|apt|unit|studio)\.?\s*\d+[A-Za-z]?,?\s+$")
_NUMBERED_ADDRESS = re.compile(
    r"\d{1,4}[A-Za-z]?(?:\s?-\s?\d{1,4})?,?\s+(?:(?:[A-Z][\w'’]*|and|on|upon|the)[\s-]+){1,4}?"
    + _STREET_SUFFIX
)
_FLAT_BUILDING = re.compile(
    r"(?:[Ff]lat|FLAT|[Aa]partment|[Aa]pt)\.?\s*\d+[A-Za-z]?,?\s+(?:[A-Z][\w'’-]*\s+){1,3}"
    r"(?:House|Court|Lodge|Mansions|Towers?|Point|Buildings|Block|Heights|Place|Close)\b"
)
_UNNUMBERED_SUFFIX = re.compile(r"(?:Street|Road|Avenue|Lane|Close|Drive|Crescent|Terrace|Gardens|Grove|Mews)\b")
_NOT_AN_ADDRESS_BEFORE = re.compile(
    r"(?i)\b(?:case|section|s\.?|kss|pcf|year|stage|level|tier|aged?|standard|article|part|schedule|regulation"
    r"|page|pp?\.?|chapter|step|room|week|day|number|no\.?)\s*$"
)
_GENERIC_STREETS = frozenset({"high street", "main street", "main road", "ring road", "the street", "the high street"})
_COURT_WORDS = words("family crown county high youth magistrates magistrates' supreme appeal civil criminal police case")


def _walk_back_name(text: str, start: int, limit: int = 6) -> int:
    """Start of the run of capitalised words (and joining words) just before `start`."""
    pos, taken = start, 0
    while taken < limit:
        m = _WORD_BEFORE.search(text, max(0, pos - 40), pos)
        if not m or m.end() != pos:
            break
        pos, taken = m.start(), taken + 1
    return pos


def _trim_and_check(text: str, start: int, end_of_name: int) -> int | None:
    """Drop leading filler words from a named place; None unless a distinctive word is left."""
    words = list(re.finditer(r"\S+", text[start:end_of_name]))
    while words and (fold(words[0].group(0)) in _LEADING_NOISE or words[0].group(0) in _CONNECTORS):
        words.pop(0)
    distinctive = False
    for w in words:
        token = fold(w.group(0).rstrip(".,"))
        bare = token.removesuffix("'s")
        if w.group(0).isupper() and len(w.group(0)) > 1:
            continue
        if token in _GENERIC_ORG_WORDS or bare in _GENERIC_ORG_WORDS or bare in TERMS and bare not in PLACES:
            continue
        if token[:1].isalpha():
            distinctive = True
    if not words or not distinctive:
        return None
    return start + words[0].start()


def _named_places(text: str) -> Iterator[Hit]:
    for kind, suffix_re in ((K.SCHOOL, _SCHOOL_SUFFIX), (K.GP_PRACTICE, _GP_SUFFIX)):
        for m in suffix_re.finditer(text):
            begin = _walk_back_name(text, m.start())
            first = _trim_and_check(text, begin, m.start()) if begin < m.start() else None
            if first is not None:
                yield Hit(kind, first, m.end())
    for m in _YSGOL.finditer(text):  # Welsh-medium schools: "Ysgol Bro Dinefwr"
        yield Hit(K.SCHOOL, m.start(), m.end())
    for m in _DR_PRACTICE.finditer(text):
        if _free(text, m.start()):
            yield Hit(K.GP_PRACTICE, m.start(), m.end())
    for m in _NUMBERED_ADDRESS.finditer(text):
        if not _free(text, m.start(), "/.,-") or _NOT_AN_ADDRESS_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue
        flat = _FLAT_BEFORE.search(text, max(0, m.start() - 20), m.start())
        start = flat.start() if flat else m.start()
        words = re.findall(r"[A-Za-z'’]+", m.group(0))
        street_words = [w for w in words if w[0].isupper() and fold(w) not in {"flat", "apartment", "apt", "unit"}]
        if street_words and fold(street_words[0]) in _COURT_WORDS:
            continue
        yield Hit(K.ADDRESS, start, m.end())
    for m in _FLAT_BUILDING.finditer(text):
        if _free(text, m.start()):
            yield Hit(K.ADDRESS, m.start(), m.end())
    for m in _UNNUMBERED_SUFFIX.finditer(text):
        begin = _walk_back_name(text, m.start(), limit=3)
        if begin == m.start() or not _free(text, m.start()):
            continue
        first = _trim_and_check(text, begin, m.end())
        if first is None or " ".join(fold(text[first : m.end()]).split()) in _GENERIC_STREETS:
            continue
        yield Hit(K.ADDRESS, first, m.end())


def detect(text: str) -> list[Hit]:
    """Every shaped identifier in the text, overlapping ones included (the scanner resolves overlaps)."""
    hits: list[Hit] = []
    for detector in (_numbers, _postcodes, _dates, _case_references, _named_places):
        hits.extend(detector(text))
    return hits
