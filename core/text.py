"""Text helpers for Thai and English search."""

import re
import unicodedata

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SPACES = re.compile(r"\s+")


def normalize_for_search(text: str) -> str:
    """Fold text so a substring match finds Thai words inside compounds.

    Thai is written without spaces between words, so "สรรพากร" must match inside
    "กรมสรรพากร": we search by substring over NFC text, with Thai digits as Arabic
    digits, English in lower case and runs of white space folded to one.
    """
    text = unicodedata.normalize("NFC", text or "").translate(THAI_DIGITS).casefold()
    return _SPACES.sub(" ", text).strip()


def grapheme_length(text: str) -> int:
    """Characters as a Thai reader counts them: combining vowels and tone marks are not extra."""
    return sum(
        1
        for ch in unicodedata.normalize("NFC", text)
        if not unicodedata.combining(ch) and unicodedata.category(ch) not in {"Mn", "Me"}
    )
