"""Personal-name detection: capitalised words that look like given names or surnames in context.

The rules, strongest first:
  titles ("Mrs Kowalczyk"), family and professional role words next to a name ("her son Kacper",
  "Mother, Sarah,", "Zainab's mother", "Nasra's school"), ages ("Jayden (4)", "Leon, 9,", "Precious is 14"),
  "called X", speech and action verbs ("Hope said"), a given name from the shipped list, a given name that
  is also a word ("Faith") when it is capitalised mid-sentence, two capitalised non-words in a row
  ("Kezia Nowak"), "the Nowak family"; then every other capitalised occurrence of a name found once.
Pseudonyms ("Child A", "Parent B", "Case 14"), allow-listed terms, places, citations ("Ainsworth (1978)")
and saints ("St Mary's") are never taken for names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import (
    ACRONYMS,
    AMBIGUOUS_NAMES,
    AUTHORS,
    CALENDAR,
    CHILD_ATTRIBUTES,
    CHILD_ROLES,
    GIVEN_NAMES,
    LOCATIVES,
    NAME_PARTICLES,
    PARENT_ROLES,
    PHRASES,
    PLACES,
    ROLE_ADJECTIVES,
    ROLE_WORDS,
    SAINT_WORDS,
    SPEECH_VERBS,
    SUBJECT_VERBS,
    SURNAMES,
    TERMS,
    TITLES,
    is_common_word,
    words,
)
from .model import FindingKind, fold
from .patterns import Hit

CHILD, PARENT, PERSON = "Child", "Parent", "Person"

_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_PSEUDO_HEADS = words("""child children parent sibling person carer yp baby mother father mum dad adult grandparent grandmother
    grandfather family case partner professional stepfather stepmother uncle aunt cousin brother sister worker
    teacher friend neighbour relative household client user male female boy girl son daughter infant twin
    subject perpetrator victim suspect witness student pupil participant practitioner sw respondent applicant
    man woman""")
_PSEUDO_LABEL = re.compile(r"[ \t]+([A-Z]{1,2}|\d{1,3})(?![\w-])")
_WORD_AT_END = re.compile(r"([A-Za-z]+)$")


def pseudonyms(text: str) -> list[tuple[int, int, str]]:
    """Pseudonyms already in the text ("Child A", "Parent B", "Case 14"): (start, end, letter or number)."""
    found = []
    for m in _PSEUDO_LABEL.finditer(text):
        head = _WORD_AT_END.search(text, max(0, m.start() - 16), m.start())
        if head and head.group(1).lower() in _PSEUDO_HEADS and (
            head.start() == 0 or not (text[head.start() - 1].isalnum() or text[head.start() - 1] in "'’-")
        ):
            found.append((head.start(), m.end(), m.group(1)))
    return found


_SIBLING_ROLES = words("""brother sister sibling twin cousin stepbrother stepsister step-brother step-sister half-brother
    half-sister""")
_OLDER_RELATIVES = PARENT_ROLES | words("aunt auntie aunty uncle teacher headteacher keyworker key-worker nanny childminder senco")
_AGE_RES = (
    re.compile(
        r"\s*\(\s*(?:aged?\s*)?(\d{1,2})\s*(years?|yrs?|y|months?|mths?|m|weeks?|wks?|w)?\s*(?:old)?\s*\)"
    ),
    re.compile(
        r"\s*,\s*(?:aged?\s+|now\s+)?(\d{1,2})\s*(years?|yrs?|months?|mths?|weeks?|wks?)?(?:\s+old)?\s*"
        r"(?=[,.;)]|\s+(?:and|but|is|was|has|had|who|lives|said|told|later|now)\b)"
    ),
    re.compile(r"\s*,?\s+aged?\s+(\d{1,2})\b\s*(years?|months?|weeks?)?"),
    re.compile(
        r"\s*,?\s+(?:is|was|turned|turns|will\s+be)\s+(?:now\s+|only\s+|just\s+|nearly\s+|almost\s+)?(\d{1,2})"
        r"(?:\s+(years?|months?|weeks?)(?:\s+old)?)?(?=\s*[,.;]|\s*$|\s+(?:and|but|now|at|in|with|so|who|which"
        r"|when|years)\b)"
    ),
)
_CALLED_BEFORE = re.compile(
    r"(?i)\b(?:called|named|known\s+as|nicknamed|name\s+is|calls\s+(?:him|her|them)(?:self|selves)?)\s+$"
)
_APPOSITIVE_ROLE = re.compile(
    r",\s+(?:(?:the|her|his|their|a|an|our|my|its)\s+)?(?:[A-Za-z'’-]+['’]s\s+)?((?:[A-Za-z-]+\s+){0,2})"
    r"([A-Za-z-]+)\b"
)
_AND_THEIR_ROLE = re.compile(r"\s+and\s+(?:her|his|their)\s+(?:[a-z-]+\s+)?([a-z-]+)\b")
_FAMILY_AFTER = re.compile(
    r"\s+(?:family|families|household|children|boys|girls|twins|siblings|brothers|sisters|parents|kids)\b"
)
_CITE_AFTER = re.compile(
    r"(?:(?:,\s*|\s+(?:and|&)\s+)[A-Z][\w'’-]+)*(?:\s+et\s+al\.?)?(?:,\s*|\s*\(\s*)(?:19|20)\d{2}[a-z]?\b"
)
_CITE_INITIALS = re.compile(r",\s*(?:[A-Z]\.\s*){1,3}(?:,|\(|and\b|&|(?:19|20)\d{2})")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_NOT_CITATION = re.compile(r"(?i)\b(?:born|aged?|dob|d\.o\.b)\b")
_ABBREVIATIONS = TITLES | words("st e.g i.e eg ie approx no vs cf ca etc")
_ADJACENT = re.compile(r"[ \u00a0]")
_NAME_FOLLOWERS = words("""and or but nor so because as at in on to from with without for by about after before during since until
    while when where who whose whom which that than if then though although is was are were has had have will
    would could should can may might must did does do today yesterday again too also now later earlier still
    just already herself himself themselves alone first last recently often always never sometimes usually
    not""")
_RATING_WORDS = words("rated rating rag graded scored flagged coded amber red green")
# A capitalised word after a name that makes the whole an organisation or award named after a person.
_NAMED_AFTER = words("""award awards prize fund foundation trust hospice scheme programme project centre unit ward clinic
    lecture fellowship institute library memorial""")
_INSTITUTION_AFTER = words("""university hospital trust foundation council centre service services project group partnership housing
    association academy school college surgery practice road street avenue lane house court park hall church
    mosque temple station prison""")


@dataclass(slots=True)
class _Tok:
    start: int
    end: int  # end of the name itself, before any possessive 's
    full_end: int
    base: str
    key: str
    poss: bool
    cap: bool
    upper: bool
    initial: bool = False
    heading: bool = False
    blocked: bool = False
    given: bool = False
    ambig: bool = False
    surname: bool = False
    word: bool = False
    place: bool = False
    calendar: bool = False
    hard: bool = False

    @property
    def word_only(self) -> bool:
        return self.word and not self.given and not self.surname

    @property
    def caps_name(self) -> bool:
        """A word in capitals that is no known abbreviation: a surname written the recording way ("SMITH")."""
        return self.upper and len(self.base) >= 3 and self.base not in ACRONYMS and self.key not in TERMS

    @property
    def unknown(self) -> bool:
        return self.cap and not (self.given or self.surname or self.word or self.place or self.calendar or self.hard)

    def nameable(self) -> bool:
        """Could be a name if the context says so."""
        if not self.cap or self.hard or self.blocked or len(self.base) < 2 or self.upper:
            return False
        if self.given or (self.surname and not self.word):
            return True
        return not (self.calendar or self.place or self.word)


def _classify(tok: _Tok) -> None:
    (tok.calendar, tok.place, tok.given, tok.ambig, tok.hard, tok.word, tok.surname) = _classes(tok.base)


@lru_cache(maxsize=8192)
def _classes(base: str) -> tuple[bool, bool, bool, bool, bool, bool, bool]:
    """(calendar, place, given, ambiguous given, hard term, common word, surname) for a capitalised word."""
    key = fold(base)
    parts = key.split("-")
    hyphenated = len(parts) > 1 and all(parts)
    calendar = key in CALENDAR
    place = key in PLACES
    given = key in GIVEN_NAMES or (
        hyphenated and any(p in GIVEN_NAMES for p in parts) and all(p[:1].isupper() for p in base.split("-"))
    )
    ambig = given and (
        key in AMBIGUOUS_NAMES or (hyphenated and all(p in AMBIGUOUS_NAMES for p in parts if p in GIVEN_NAMES))
    )
    hard = (key in TERMS and not (calendar and given)) or (base.isupper() and len(base) > 1)
    word = is_common_word(key) or (hyphenated and all(is_common_word(p) for p in parts))
    surname = (
        key in SURNAMES
        or bool(re.match(r"(?:Mc|Mac|Fitz)[A-Z]|[OD]['’][A-Z]", base))
        or (
            hyphenated
            and len(parts) == 2
            and all(p[:1].isupper() for p in base.split("-"))
            and not any(p in TERMS or (is_common_word(p) and p not in SURNAMES) for p in parts)
        )
    )
    return calendar, place, given, ambig, hard, word, surname


def _is_initial(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in " \t\"'“”‘’([*•-–—":
        if text[j] in "*•-–—":
            k = j - 1
            while k >= 0 and text[k] in " \t":
                k -= 1
            if k < 0 or text[k] == "\n":
                return True
        j -= 1
    if j < 0:
        return True
    c = text[j]
    if c == "\n" or c in "!?:;":
        return True
    if c == ".":
        m = re.search(r"([\w.]+)\.$", text[max(0, j - 12) : j + 1])
        return not (m and fold(m.group(1)) in _ABBREVIATIONS)
    return False


_HEADING_FILLERS = LOCATIVES | {"and", "for", "a", "&"}


def _heading_lines(text: str) -> list[tuple[int, int]]:
    """Lines written in Title Case without closing punctuation: headings, where capitals mean little."""
    lines, pos = [], 0
    for line in text.split("\n"):
        if len(line) <= 160 and not line.rstrip().endswith((".", "!", "?", ",", ";")):
            words = [w for w in _TOKEN_RE.findall(line) if w.lower() not in _HEADING_FILLERS]
            if len(words) >= 2 and sum(w[0].isupper() for w in words) / len(words) >= 0.75:
                lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    return lines


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _tokenise(text: str, blocked: list[tuple[int, int]]) -> list[_Tok]:
    spans = _merge([(s, e) for s, e, _ in pseudonyms(text)] + list(blocked))
    headings = _heading_lines(text)
    toks: list[_Tok] = []
    si = hi = 0
    n_spans, n_headings = len(spans), len(headings)
    phrase_end = -1
    for m in _TOKEN_RE.finditer(text):
        raw, start = m.group(0), m.start()
        poss = len(raw) > 2 and raw[-1] in "sS" and raw[-2] in "'’"
        base = raw[:-2] if poss else raw
        end = start + len(base)
        cap = base[0].isupper()
        tok = _Tok(start, end, m.end(), base, fold(base) if cap or not base.isascii() else base, poss, cap, cap and base.isupper())
        while si < n_spans and spans[si][1] <= start:
            si += 1
        tok.blocked = start < phrase_end or (si < n_spans and spans[si][0] < end)
        if tok.cap:
            candidates = PHRASES.get(raw.replace("’", "'"))
            if candidates and start >= phrase_end:
                phrase_end = max(phrase_end, _phrase_at(text, start, candidates))
                tok.blocked = tok.blocked or start < phrase_end
            while hi < n_headings and headings[hi][1] < start:
                hi += 1
            tok.heading = hi < n_headings and headings[hi][0] <= start
            tok.initial = _is_initial(text, start)
            _classify(tok)
        toks.append(tok)
    return toks


def _phrase_at(text: str, start: int, candidates: tuple[str, ...]) -> int:
    """End of the longest listed phrase starting at `start`, or -1."""
    window = text[start : start + len(candidates[0]) + 1].replace("’", "'")
    for phrase in candidates:
        if window.startswith(phrase) and not (len(window) > len(phrase) and (window[len(phrase)].isalnum() or window[len(phrase)] == "-")):
            return start + len(phrase)
    return -1


class _NameFinder:
    def __init__(self, text: str, blocked: list[tuple[int, int]]):
        self.text = text
        self.toks = _tokenise(text, blocked)
        n = len(self.toks)
        self.mark = [False] * n
        self.hint: list[tuple[int, int, str] | None] = [None] * n  # (strength, -position, role)
        self.title_at: dict[int, int] = {}

    # -- helpers ------------------------------------------------------------------------------------------
    def gap(self, i: int, j: int) -> str:
        return self.text[self.toks[i].full_end : self.toks[j].start]

    def adjacent(self, i: int, j: int) -> bool:
        return 0 <= i < j < len(self.toks) and bool(_ADJACENT.fullmatch(self.gap(i, j)))

    def set_name(self, i: int, strength: int = 0, role: str | None = None) -> None:
        self.mark[i] = True
        if role is not None:
            cand = (strength, -self.toks[i].start, role)
            if self.hint[i] is None or cand > self.hint[i]:
                self.hint[i] = cand

    def after_saint(self, i: int) -> bool:
        return i > 0 and self.toks[i - 1].key.rstrip(".") in SAINT_WORDS and bool(
            re.fullmatch(r"\.?[ \u00a0]", self.gap(i - 1, i))
        )

    def is_citation(self, t: _Tok) -> bool:
        text = self.text
        if _CITE_AFTER.match(text, t.full_end) or _CITE_INITIALS.match(text, t.full_end):
            return True
        opened = text.rfind("(", max(0, t.start - 80), t.start)
        if opened == -1 or ")" in text[opened : t.start]:
            return False
        closed = text.find(")", t.end, t.end + 80)
        if closed == -1:
            return False
        inner = text[opened + 1 : closed]
        return bool(_YEAR.search(inner)) and not _NOT_CITATION.search(inner)

    # -- rules --------------------------------------------------------------------------------------------
    def run(self) -> list[Hit]:
        toks, text = self.toks, self.text
        for i, t in enumerate(toks):
            if t.blocked and t.key not in ROLE_WORDS:
                continue
            if t.caps_name and len(t.base) >= 4 and t.given and not t.ambig and not self.after_saint(i):
                self.set_name(i)  # "KACPER" written in capitals
            if t.cap and t.key in TITLES and not t.poss:
                self._title(i)
            if t.key in ROLE_WORDS and not t.poss:
                self._role_before(i)
            if not t.nameable() or self.is_citation(t):
                continue
            if t.poss:
                self._possessive(i)
            self._appositive(i)
            self._age(i)
            if _CALLED_BEFORE.search(text, max(0, t.start - 30), t.start):
                self.set_name(i)
            together = _AND_THEIR_ROLE.match(text, t.full_end)
            if together and together.group(1) in ROLE_WORDS and not t.poss and not t.word_only:
                self.set_name(i)  # "Precious and her cousin Tamika"
            verb = toks[i + 1].key if i + 1 < len(toks) and not toks[i + 1].cap else ""
            if t.key in AUTHORS and not t.given:
                verb = ""  # "Bowlby was", "Gibbs says": a cited author, unless more context says otherwise
            subject = verb in SUBJECT_VERBS and (t.unknown or (t.surname and not t.word))
            if subject and not t.poss and self.adjacent(i, i + 1):
                self.set_name(i)  # "Kezia was upset"
            speaks = verb in SPEECH_VERBS
            if speaks and not t.poss and self.adjacent(i, i + 1) and not (t.word_only or (t.place and not t.given)):
                self.set_name(i)  # "Hope said"
            if self.after_saint(i):
                continue
            if t.given and not t.ambig:
                self.set_name(i)
            elif t.given and t.ambig and not t.calendar:
                self._ambiguous_given(i)
            self._pair(i)
            if text[max(0, t.start - 4) : t.start].lower() == "the " and _FAMILY_AFTER.match(text, t.full_end):
                self.set_name(i)
        return self._spans()

    def _title(self, i: int) -> None:
        toks = self.toks
        k = i + 1
        if k >= len(toks) or not re.fullmatch(r"\.?[ \u00a0]{1,2}|\.", self.gap(i, k)):
            return
        while k + 1 < len(toks) and len(toks[k].base) == 1 and toks[k].cap:
            if not re.fullmatch(r"\.?\s{1,2}", self.gap(k, k + 1)):
                return
            k += 1
        c = toks[k]
        plain = c.cap and not c.hard and len(c.base) >= 2 and not (c.calendar and not c.given)
        if (plain or c.caps_name) and not c.blocked:
            self.set_name(k, 1, PERSON)
            self.title_at[k] = i

    def _role_before(self, i: int) -> None:
        toks, t = self.toks, self.toks[i]
        j = i + 1
        if j >= len(toks) or not re.fullmatch(r"\s*,\s*|[ \u00a0]+", self.gap(i, j)) or "\n" in self.gap(i, j):
            return
        role = _role_of(t.key)
        if t.key == "person" and i > 0 and toks[i - 1].key == "young":
            role = CHILD
        if toks[j].key in TITLES and j + 1 < len(toks):
            j += 1  # "mother, Mrs Pritchard": the title rule finds the name; give it the role
            if self.mark[j]:
                self.set_name(j, 3, role)
            return
        if toks[j].nameable() and not toks[j].initial:
            self.set_name(j, 3, role)
            # "The children, Ella and Jacob,": the role carries over a short list
            while j + 2 < len(toks) and re.fullmatch(r"\s*(?:,|and|&|,\s*and)\s*", self.gap(j, j + 1) + (
                toks[j + 1].base if toks[j + 1].key in {"and", "&"} else ""
            )):
                nxt = j + 2 if toks[j + 1].key in {"and", "&"} else j + 1
                if not toks[nxt].nameable() or "\n" in self.text[toks[j].full_end : toks[nxt].start]:
                    break
                self.set_name(nxt, 3, role)
                j = nxt

    def _possessive(self, i: int) -> None:
        toks = self.toks
        j = i + 1
        while j < len(toks) and toks[j].key in ROLE_ADJECTIVES and j - i <= 2:
            j += 1
        if j >= len(toks) or not re.fullmatch(r"[ \u00a0]", self.text[toks[j - 1].full_end : toks[j].start]):
            return
        word = toks[j].key
        if word in ROLE_WORDS:
            self.set_name(i, 3, _inverse_role(word))
        elif word in CHILD_ATTRIBUTES:
            self.set_name(i, 3, CHILD)

    def _appositive(self, i: int) -> None:
        m = _APPOSITIVE_ROLE.match(self.text, self.toks[i].full_end)
        if not m:
            return
        if all(fold(w) in ROLE_ADJECTIVES for w in m.group(1).split()) and fold(m.group(2)) in ROLE_WORDS:
            self.set_name(i, 3, _role_of(fold(m.group(2))))

    def _age(self, i: int) -> None:
        t = self.toks[i]
        if t.poss:
            return
        for regex in _AGE_RES:
            m = regex.match(self.text, t.full_end)
            if m:
                unit = (m.group(2) or "").lower()
                young = int(m.group(1)) < 18 or unit.startswith(("m", "w"))
                self.set_name(i, 2, CHILD if young else PERSON)
                return

    def _ambiguous_given(self, i: int) -> None:
        """A name that is also a word ("Faith", "Hope", "Chelsea"), capitalised mid-sentence."""
        toks, t = self.toks, self.toks[i]
        if t.initial or t.heading:
            return
        if i + 1 < len(toks) and self.adjacent(i, i + 1):
            nxt = toks[i + 1]
            phrase_word = not nxt.cap and is_common_word(nxt.key) and not nxt.key.endswith("ed")
            if phrase_word and nxt.key not in _NAME_FOLLOWERS and nxt.key not in SPEECH_VERBS:
                return  # "Loan repayments", "Faith groups": a word in a phrase, not a person
        if i > 0 and self.adjacent(i - 1, i):
            prev = toks[i - 1]
            if prev.key in _RATING_WORDS:
                return  # "rated Amber"
            if prev.key in LOCATIVES and (t.place or prev.key in {"of", "the"}):
                return
            if prev.cap and (prev.word_only or prev.hard):
                return
        if i + 1 < len(toks) and self.adjacent(i, i + 1):
            nxt = toks[i + 1]
            if nxt.cap and (nxt.word_only or nxt.hard) and not nxt.blocked:
                return
        self.set_name(i)

    def _pair(self, i: int) -> None:
        toks = self.toks
        j = i + 1
        if j >= len(toks) or not self.adjacent(i, j) or toks[i].heading or toks[i].poss:
            return
        a, b = toks[i], toks[j]
        if not (b.nameable() and not self.after_saint(i)):
            return
        if a.place and not (a.given or a.surname) or b.place and not (b.given or b.surname):
            return
        known = [x for x in (a, b) if x.given or x.surname]
        if a.initial and not known:
            return
        if j + 1 < len(toks) and self.adjacent(j, j + 1) and toks[j + 1].key in _INSTITUTION_AFTER:
            return
        if self.is_citation(b):
            return
        self.set_name(i)
        self.set_name(j)

    def _extendable(self, k: int) -> bool:
        """A capitalised word that can carry on a name already found ("Sarah Green", "Darren Okonkwo-Reid")."""
        t = self.toks[k]
        if t.caps_name and not t.blocked:
            return True
        if t.surname and t.cap and not (t.hard or t.blocked or t.upper) and len(t.base) > 1:
            return not self.is_citation(t)
        return t.nameable() and not t.initial and not self.is_citation(t)

    # -- spans, entities, propagation ---------------------------------------------------------------------
    def _spans(self) -> list[Hit]:
        toks = self.toks
        spans = [
            (s, e)
            for s, e in self._group(lambda k: self.mark[k])
            if not (e + 1 < len(toks) and toks[e + 1].cap and toks[e + 1].key in _NAMED_AFTER and self.adjacent(e, e + 1))
        ]
        entity_of_key: dict[str, int] = {}
        prop: dict[str, int] = {}
        span_entities: list[int] = []
        for s, e in spans:
            words = [k for k in range(s, e + 1) if toks[k].key not in NAME_PARTICLES]
            key = "t:" + toks[words[-1]].key if s in self.title_at else toks[words[0]].key
            entity = prop.get(toks[words[0]].key) if s not in self.title_at else None
            if entity is None:
                entity = entity_of_key.setdefault(key, len(entity_of_key))
            span_entities.append(entity)
            for k in words:
                if not toks[k].word_only and not toks[k].hard:
                    prop.setdefault(toks[k].key, entity)
        in_span = {k for s, e in spans for k in range(s, e + 1)}
        extra = [
            k
            for k, t in enumerate(toks)
            if k not in in_span and t.cap and not t.blocked and not t.hard and t.key in prop and not t.upper
            and not self.after_saint(k) and not self.is_citation(t)
        ]
        extra_set = set(extra)
        extra_spans = self._group(lambda k: k in extra_set)
        for s, e in extra_spans:
            spans.append((s, e))
            span_entities.append(prop[toks[s].key])
        roles: dict[int, tuple[int, int, str]] = {}
        hits = []
        for (s, e), entity in zip(spans, span_entities, strict=True):
            for k in range(s, e + 1):
                h = self.hint[k]
                if h is not None and (entity not in roles or h > roles[entity]):
                    roles[entity] = h
            start = toks[self.title_at[s]].start if s in self.title_at else toks[s].start
            hits.append(Hit(FindingKind.PERSON_NAME, start, toks[e].end, None, entity))
        for hit in hits:
            hit.role = roles[hit.entity][2] if hit.entity in roles else PERSON
        return hits

    def _group(self, chosen) -> list[tuple[int, int]]:
        toks, spans, k = self.toks, [], 0
        while k < len(toks):
            if not chosen(k):
                k += 1
                continue
            s = e = k
            while not toks[e].poss:
                if e + 1 < len(toks) and self.adjacent(e, e + 1) and (chosen(e + 1) or self._extendable(e + 1)):
                    e += 1
                elif (
                    e + 2 < len(toks)
                    and toks[e + 1].key in NAME_PARTICLES
                    and not toks[e + 1].cap
                    and self.adjacent(e, e + 1)
                    and self.adjacent(e + 1, e + 2)
                    and toks[e + 2].cap
                    and (chosen(e + 2) or self._extendable(e + 2))
                ):
                    e += 2
                else:
                    break
            spans.append((s, e))
            k = e + 1
        return spans


def _role_of(word: str) -> str:
    if word in CHILD_ROLES:
        return CHILD
    if word in PARENT_ROLES:
        return PARENT
    return PERSON


def _inverse_role(word: str) -> str:
    """What the possessor is: "Zainab's mother" makes Zainab a child, "Sarah's son" makes Sarah a parent."""
    if word in _SIBLING_ROLES or word in _OLDER_RELATIVES:
        return CHILD
    if word in CHILD_ROLES:
        return PARENT
    return PERSON


def detect(text: str, blocked: list[tuple[int, int]] = ()) -> list[Hit]:
    """Names in the text as PERSON_NAME hits with a role ("Child", "Parent", "Person") and an entity number."""
    return _NameFinder(text, list(blocked)).run()
