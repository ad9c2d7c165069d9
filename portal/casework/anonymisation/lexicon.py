"""Word lists shipped with the guard (data/*.txt) and the small fixed vocabularies the rules use.

All lists are read once, at import, from files inside this package: nothing is fetched.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from .model import fold


def words(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string."""
    return frozenset(text.split())


def _read(name: str) -> list[str]:
    text = (resources.files(__package__) / "data" / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _phrases_by_first_word(phrases: list[str]) -> dict[str, tuple[str, ...]]:
    """Multi-word entries keyed by their first word (apostrophes straightened), longest first."""
    table: dict[str, list[str]] = {}
    for phrase in sorted({p.replace("’", "'") for p in phrases}, key=len, reverse=True):
        table.setdefault(phrase.split()[0], []).append(phrase)
    return {first: tuple(group) for first, group in table.items()}


GIVEN_NAMES = frozenset(fold(n) for n in _read("given_names.txt"))
SURNAMES = frozenset(fold(n) for n in _read("surnames.txt"))
COMMON_WORDS = frozenset(fold(w) for w in _read("common_words.txt"))
AUTHORS = frozenset(fold(w) for w in _read("authors.txt"))

_places = _read("places.txt")
_terms = _read("terms.txt")
PLACES = frozenset(fold(p) for p in _places if " " not in p)
TERMS = frozenset(fold(t) for t in _terms if " " not in t) | frozenset(
    fold(t)[:-2] for t in _terms if " " not in t and fold(t).endswith("'s")
)
# Multi-word terms and places are matched as whole phrases; their words are never taken for names.
PHRASES = _phrases_by_first_word([p for p in _places + _terms if " " in p])

MONTHS = words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
CALENDAR = MONTHS | words("monday tuesday wednesday thursday friday saturday sunday spring summer autumn winter")

# Given names whose other sense is often written with a capital (sentence openings, headings, titles,
# places, months). They are taken for a name only with some context. Names whose word sense is rarely
# capitalised (Jack, Holly, Ruby) are not listed: a capital is enough for those.
_CAPITALISED_SENSES = words("""will may can said hope faith grace joy mark rose summer autumn winter spring long van non hung chase
    miles sky star patience mercy peace promise destiny success victory wisdom divine kindness goodness precious
    blessing favour gift miracle praise prosper testimony treasure trinity junior major earl duke king prince
    les del col dawn crystal justice liberty charity honour royal sterling hunter sunny lucky rocky ginger
    pepper storm river rain melody harmony noel eve christian sol tam sage cliff dale glen lane wade reed gene
    art ash bay brook robin wren fern willow marvellous unity amber bill frank guy kit penny loan wing""")
AMBIGUOUS_NAMES = GIVEN_NAMES & (_CAPITALISED_SENSES | CALENDAR | PLACES)

TITLES = words("mr mrs ms miss mx dr prof professor rev revd pc dc ds di dci sgt pcso cllr hhj")

# Family and professional role words. The value says what a name right next to the word is.
CHILD_ROLES = words("""son daughter child baby brother sister toddler pupil boy girl sibling twin niece nephew grandson
    granddaughter stepson stepdaughter stepbrother stepsister step-son step-daughter step-brother step-sister
    half-brother half-sister infant teenager newborn youngster youngest eldest cousin kid children boys girls
    sons daughters twins siblings kids babies brothers sisters grandchildren grandchild""")
PARENT_ROLES = words("""mother mum mummy mam mom father dad daddy stepfather stepmother stepdad stepmum step-father step-mother
    step-dad step-mum carer carers guardian grandmother grandfather grandma grandpa grandad granddad gran granny
    nan nana nanna grandparent parent parents grandparents""")
PERSON_ROLES = words("""aunt auntie aunty uncle partner boyfriend girlfriend husband wife ex-partner ex-husband ex-wife fiance
    fiancee friend neighbour lodger landlord landlady teacher headteacher supervisor manager colleague worker
    nurse midwife officer perpetrator practitioner solicitor interpreter advocate senco dsl gp doctor therapist
    counsellor mentor tutor pastor imam volunteer childminder nanny keyworker key-worker relative""")
ROLE_WORDS = CHILD_ROLES | PARENT_ROLES | PERSON_ROLES
# Adjectives that may stand between a possessive or an article and the role word.
ROLE_ADJECTIVES = words("""older younger elder eldest youngest little baby big new former ex current alleged biological birth
    step half twin only middle maternal paternal foster kinship adoptive teenage adult""")
# Nouns that, after a capitalised possessive ("Kezia's school"), say the possessor is a child.
CHILD_ATTRIBUTES = words("""school nursery class classroom teacher teachers bedroom room cot bed behaviour behaviours needs views voice
    wishes feelings development attendance education health safety wellbeing progress placement birthday
    toys speech weight height injuries injury bruise bruises bruising nappy friends bike uniform medication
    diagnosis ehcp pep keyworker life mood sleep diet routine routines hair clothes arm leg face head eye
    hand cheek name age dob phone mobile address home flat gp dentist asthma condition disability disclosure
    account interview experience daily perspective drawing drawings nan grandparents family foster""")
# Verbs that, right after an unknown capitalised word, make it the subject of a sentence: a person.
SUBJECT_VERBS = words(
    """was is has had will would could can did does seems seemed appears appeared remains remained continues
    continued needs needed started stopped began"""
)
SPEECH_VERBS = words("""said says told tells explained explains disclosed discloses shared stated cried cries smiled smiles
    laughed laughs shouted screamed asked asks wanted wants agreed denied admitted replied answered
    whispered giggled hugged played plays drew showed became seemed looked felt feels likes liked loves
    loved enjoys enjoyed hates hated refused ran hid hit kicked punched pushed lives lived moved went came
    arrived stayed sleeps slept ate eats walked talked spoke speaks knows knew thinks thought worries worried
    misses struggles struggled attends attended wrote writes chose""")
NAME_PARTICLES = words("van von de der den da di du del la le bin binti bint ibn al el ben abu")
# Capital-letter abbreviations common in casework, never a surname written in capitals.
ACRONYMS = words(
    """ACE ACES ADHD AMHP ASD ASYE BAME BASW BSL CAF CAMHS CCE CCG CIN CLA CPD CPP CPS CSC CSE CYPMHS DASH DBS DFE
    DLA DOLS DSL DWP ECDP ECF EET EHA EHCP EHM ESA FGC FGM GCSE HMRC ICB ICPC IDVA ILACS IRO ISVA JSA KSS LAC LADO
    LSCP MACE MAPPA MARAC MASH MCA NEET NFA NHS NQSW NRM NSPCC OFSTED PCF PCSO PEP PIP PLO PRU PTSD RCPC SALT SEN
    SEND SENCO SGO SWE TAC TAF UASC UPN YJS YOS YOT"""
)
SAINT_WORDS = words("st st. saint san santa ste")
LOCATIVES = words("in at from to near into around outside across towards via through within of the")

_MORPH_RE = re.compile(
    r".{3,}(?:tion|tions|sion|sions|ment|ments|ness|ities|ship|ships|ism|isms|ology|ologist|ician|icians|ous"
    r"|able|ible|ical|ally|ings|ful|less|hood|ency|ancy|ised|ized|ising|izing|ation|ative|atory|ists)$"
)


_PREFIXES = words("pre post non anti co sub self multi inter cross ex semi re under over out mid")


@lru_cache(maxsize=16384)
def is_common_word(folded: str) -> bool:
    """True when a (folded) token is an ordinary English word: listed, a plural of a listed word, a
    listed word behind a common prefix ("pre-birth"), or by its ending ("-tion", "-ness", ...)."""
    if folded in COMMON_WORDS:
        return True
    if folded.endswith("s") and len(folded) > 3:
        if folded[:-1] in COMMON_WORDS or (folded.endswith("es") and folded[:-2] in COMMON_WORDS):
            return True
        if folded.endswith("ies") and folded[:-3] + "y" in COMMON_WORDS:
            return True
    if "-" in folded:
        head, _, rest = folded.partition("-")
        if head in _PREFIXES and rest and is_common_word(rest):
            return True
    if folded.endswith("ing") and len(folded) > 6:
        return True
    return bool(_MORPH_RE.match(folded))
