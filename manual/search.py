"""Thai and English search terms for the Citizen's Manual (ADR 0021).

Thai has no spaces between words, and people shorten compounds: "บัตรประชาชน" must find
"การทำบัตรประจำตัวประชาชน", which does not contain it. So a query is cut into words with
PyThaiNLP's dictionary segmenter (newmm, dictionary shipped in the wheel, offline), and every
word must occur somewhere in the service's normalised search text (substring, so a partial
word such as "ประชา" still matches). A word that is itself a compound of dictionary words
("บัตรประชาชน" = "บัตร" + "ประชาชน") may match either whole or as all of its parts.
"""

import re
from functools import lru_cache

from core.text import normalize_for_search

# Words that carry no meaning on their own in a query ("การ" in "การทำบัตร").
STOP_WORDS = frozenset(
    {"การ", "ความ", "ของ", "และ", "ที่", "ใน", "the", "of", "and", "a", "for", "to", "an"}
)
# Everyday names for official terms: either side finds the other.
SYNONYMS = {
    "ใบขับขี่": ["ใบอนุญาตขับรถ"],
    "พาสปอร์ต": ["หนังสือเดินทาง"],
    "โฉนด": ["โฉนดที่ดิน"],
    "ภาษีเงินได้": ["ภ.ง.ด."],
}
_WORD = re.compile(r"\w", re.UNICODE)
for _word, _others in list(SYNONYMS.items()):
    for _other in _others:
        SYNONYMS.setdefault(_other, []).append(_word)
MAX_TERMS = 8
MIN_PART = 2
MIN_COMPOUND = 6


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    from pythainlp.corpus import thai_words

    return frozenset(thai_words())


def _segment(text: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize

    return word_tokenize(text, engine="newmm", keep_whitespace=False)


def split_compound(word: str) -> list[str] | None:
    """The fewest dictionary words (other than `word` itself) that spell `word`, or None."""
    words = _dictionary()
    length = len(word)
    if length < MIN_COMPOUND:
        return None
    best: list[list[str] | None] = [None] * (length + 1)
    best[0] = []
    for end in range(1, length + 1):
        for start in range(max(0, end - 30), end - MIN_PART + 1):
            head = best[start]
            piece = word[start:end]
            if head is None or piece == word or piece not in words:
                continue
            candidate = [*head, piece]
            current = best[end]
            if current is None or len(candidate) < len(current):
                best[end] = candidate
    parts = best[length]
    return parts if parts and len(parts) > 1 else None


@lru_cache(maxsize=2048)
def query_terms(query: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The query as AND-of-OR-of-AND terms.

    Each element is one word of the query; it matches when any of its alternatives matches,
    and an alternative matches when all its parts occur in the text.
    """
    text = normalize_for_search(query)[:200]
    if not text:
        return ()
    tokens = [t for t in _segment(text) if _WORD.search(t)]
    meaningful = [t for t in tokens if t not in STOP_WORDS] or tokens
    terms: list[tuple[tuple[str, ...], ...]] = []
    seen: set[str] = set()
    for token in meaningful:
        if token in seen:
            continue
        seen.add(token)
        alternatives: list[tuple[str, ...]] = [(token,)]
        parts = split_compound(token)
        if parts:
            alternatives.append(tuple(parts))
        for synonym in SYNONYMS.get(token, []):
            alternatives.append((normalize_for_search(synonym),))
        terms.append(tuple(alternatives))
        if len(terms) >= MAX_TERMS:
            break
    return tuple(terms)


def matches(text: str, terms) -> bool:
    """The same rule as the database query, in Python (used by tests and ranking)."""
    return all(any(all(part in text for part in alt) for alt in term) for term in terms)


def index_text(*parts: str) -> str:
    """The normalised text a service is found by."""
    return normalize_for_search(" ".join(p for p in parts if p))
