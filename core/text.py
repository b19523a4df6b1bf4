"""Text helpers for Thai and English search."""

import re
import unicodedata

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SPACES = re.compile(r"\s+")
# Control characters never help a search, and PostgreSQL refuses a NUL in any text parameter.
_SEARCH_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def normalize_for_search(text: str) -> str:
    """Fold text so a substring match finds Thai words inside compounds.

    Thai is written without spaces between words, so "สรรพากร" must match inside
    "กรมสรรพากร": we search by substring over NFC text, with Thai digits as Arabic
    digits, English in lower case and runs of white space folded to one.
    """
    text = unicodedata.normalize("NFC", text or "").translate(THAI_DIGITS).casefold()
    return _SPACES.sub(" ", _SEARCH_CONTROLS.sub("", text)).strip()


def grapheme_length(text: str) -> int:
    """Characters as a Thai reader counts them: combining vowels and tone marks are not extra."""
    return sum(
        1
        for ch in unicodedata.normalize("NFC", text)
        if not unicodedata.combining(ch) and unicodedata.category(ch) not in {"Mn", "Me"}
    )


# -- The one text-cleaning helper ------------------------------------------------------------
# Every text a person sends (forms: core.forms; API and importer writes: the model's
# full_clean through core.models.CleanTextMixin) is normalised here: NFC, trimmed, zero-width
# characters and soft hyphens removed, and text that could lie about itself refused (C0/C1
# controls, bidirectional embeddings/overrides/isolates and marks, lone surrogates,
# non-characters). Single-line fields fold tabs and line breaks to a space; multi-line ones
# keep line feeds (CRLF becomes LF) and tabs. Fields without their own limit get one.

SINGLE_LINE_MAX = 1_000
MULTILINE_MAX = 10_000

_REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
_STRIPPED = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_LINE_BREAKS = re.compile(r"[\t\r\n\u2028\u2029]+")
_CRLF = re.compile(r"\r\n?|[\u2028\u2029]")


def text_is_clean(value: str, *, multiline: bool = False) -> bool:
    """True when clean_text would give the same text back (a fast check for hot paths); in
    multi-line text CR and CRLF are allowed, the caller folds them to LF as clean_text does."""
    return (
        not _REFUSED.search(value)
        and (multiline or not _LINE_BREAKS.search(value))
        and not _STRIPPED.search(value)
        and unicodedata.is_normalized("NFC", value)
        and value == value.strip()
    )


def clean_text(value: str, *, multiline: bool = False, max_length: int | None = None) -> str:
    """The text normalised, or ValidationError (code "invisible", or "max_length" when it is
    longer than `max_length`; None leaves the length to the caller)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext_lazy as _

    text = unicodedata.normalize("NFC", value)
    if _STRIPPED.search(text):
        text = _STRIPPED.sub("", text)
    if _REFUSED.search(text):
        raise ValidationError(
            _(
                "This text contains invisible control characters (for example a "
                "right-to-left override). Please type it again without them."
            ),
            code="invisible",
        )
    text = _CRLF.sub("\n", text) if multiline else _LINE_BREAKS.sub(" ", text)
    text = text.strip()
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            _("Please shorten this text to at most %(limit)d characters (it has %(length)d)."),
            code="max_length",
            params={"limit": max_length, "length": len(text)},
        )
    return text


def clean_model_text(instance, *, exclude=None) -> None:
    """Normalise every text field of a model instance in place; errors by field name.

    A CharField's own max_length is checked by Django's validator (one message, not two);
    a TextField gets `TEXT_LIMITS[name]` from the model, else MULTILINE_MAX.
    """
    from django.core.exceptions import ValidationError
    from django.db import models

    errors: dict[str, list] = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField) or field.choices:
            continue
        if exclude and field.name in exclude:
            continue
        value = getattr(instance, field.attname)
        if not isinstance(value, str) or not value:
            continue
        try:
            cleaned = clean_text(
                value,
                multiline=isinstance(field, models.TextField),
                max_length=(
                    None  # Django's own max_length validator answers for a CharField
                    if isinstance(field, models.CharField)
                    else getattr(instance, "TEXT_LIMITS", {}).get(field.name, MULTILINE_MAX)
                ),
            )
        except ValidationError as error:
            errors[field.name] = error.error_list
            continue
        if cleaned != value:
            setattr(instance, field.attname, cleaned)
    if errors:
        raise ValidationError(errors)


def search_text(value: str | None, *, max_length: int = 100) -> str:
    """A search box's text, forgiving: NFC, invisible and control characters dropped (a NUL
    would fail PostgreSQL's full-text search), white space folded, cut to `max_length`."""
    text = unicodedata.normalize("NFC", value or "")
    text = _STRIPPED.sub("", _REFUSED.sub("", text))
    return _SPACES.sub(" ", text).strip()[:max_length]
