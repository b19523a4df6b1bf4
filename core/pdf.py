"""Thai PDFs whose text layer is right: searching a report for "สำเนา" finds it.

HarfBuzz (through Pango) always draws SARA AM (ำ) as NIKHAHIT + SARA AA, and WeasyPrint maps
each glyph to the text of its cluster the first time it meets it. So the SARA AA glyph became
"ำ" (or "า" lost its place), and pdftotext read "สาเนา" or "สำเนำ". Here the PDF font is a copy of
Sarabun whose cmap also maps a private-use code point to Sarabun's own precomposed ำ glyph;
the text gets that code point wherever ำ does not follow a tone mark, and the glyph is mapped
back to "ำ" in the PDF's ToUnicode. After a tone mark ("น้ำ") see SARA_AA_AFTER_TONE_PRIVATE.
The printed page is unchanged: it is the same font's own glyph for the same letter.
"""

import copy
import functools
import hashlib
import os
import re
import tempfile
from pathlib import Path

from core.fonts import THAI_FONT_DIR

SARA_AM = "\u0e33"
SARA_AM_PRIVATE = "\ue033"  # unused by Sarabun
PDF_GLYPH = "uni0E33.pdf"
# After a tone mark ("น้ำ") the text is written NIKHAHIT + tone + this code point: the font's
# own ligature stacks NIKHAHIT and the tone mark, this is a copy of SARA AA, and the text layer
# reads the ligature as the tone mark and the copy as ำ, so "น้ำ" comes out in NFC.
SARA_AA_AFTER_TONE_PRIVATE = "\ue032"  # unused by Sarabun
PDF_GLYPH_AA = "uni0E32.am.pdf"
FONT_FILES = ("Sarabun_400Regular.ttf", "Sarabun_700Bold.ttf")
_AFTER_NO_TONE = re.compile(r"(?<![\u0e48-\u0e4b])\u0e33")
_AFTER_TONE = re.compile(r"([\u0e48-\u0e4b])\u0e33")
# NIKHAHIT + tone mark ligatures of Sarabun ("uni0E4D0E49", "uni0E4D0E49.narrow").
_NIKHAHIT_TONE = re.compile(r"uni0E4D(0E4[89AB])(\..+)?")


@functools.cache
def font_dir() -> Path:
    """A folder with the PDF copies of the Sarabun fonts (made once per source version)."""
    from fontTools.ttLib import TTFont

    digest = hashlib.sha256(
        b"".join((THAI_FONT_DIR / name).read_bytes() for name in FONT_FILES)
    ).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"citizeninfo-pdf-fonts-3-{digest}"
    if all((target / name).exists() for name in FONT_FILES):
        return target
    target.mkdir(mode=0o755, exist_ok=True)
    for name in FONT_FILES:
        font = TTFont(THAI_FONT_DIR / name)
        # A copy of the precomposed glyph: the font's own ccmp splits "uni0E33" itself.
        font.setGlyphOrder([*font.getGlyphOrder(), PDF_GLYPH])
        font["glyf"][PDF_GLYPH] = copy.deepcopy(font["glyf"]["uni0E33"])
        font["hmtx"][PDF_GLYPH] = font["hmtx"]["uni0E33"]
        font.setGlyphOrder([*font.getGlyphOrder(), PDF_GLYPH_AA])
        font["glyf"][PDF_GLYPH_AA] = copy.deepcopy(font["glyf"]["uni0E32"])
        font["hmtx"][PDF_GLYPH_AA] = font["hmtx"]["uni0E32"]
        for table in font["cmap"].tables:
            if table.isUnicode():
                table.cmap[ord(SARA_AM_PRIVATE)] = PDF_GLYPH
                table.cmap[ord(SARA_AA_AFTER_TONE_PRIVATE)] = PDF_GLYPH_AA
        partial = target / f".{name}.{os.getpid()}.part"
        font.save(partial)
        partial.replace(target / name)
    return target


def prepare_html(html: str) -> str:
    """The body's ำ as the private code points (see above); the head unchanged."""
    cut = html.find("<body")
    if cut < 0:
        return html
    body = _AFTER_NO_TONE.sub(SARA_AM_PRIVATE, html[cut:])
    body = _AFTER_TONE.sub("\u0e4d\\1" + SARA_AA_AFTER_TONE_PRIVATE, body)
    return html[:cut] + body


def _patch_weasyprint() -> None:
    """Maps the private code point's glyph back to ำ in every PDF font that has it."""
    from weasyprint.pdf import fonts

    if getattr(fonts.Font, "_citizeninfo_sara_am", False):
        return
    original = fonts.Font.__init__

    def init_with_thai_map(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.to_unicode.update(_thai_to_unicode(self.file_content))

    fonts.Font.__init__ = init_with_thai_map
    fonts.Font._citizeninfo_sara_am = True


_MAPS: dict[bytes, dict[int, str]] = {}


def _thai_to_unicode(content: bytes) -> dict[int, str]:
    """Each Thai glyph of a PDF copy of Sarabun mapped to its own letter, and the private
    glyph to ำ; WeasyPrint would otherwise map a glyph to whatever cluster it met it in first
    (HarfBuzz reorders NIKHAHIT before a tone mark in "น้ำ", so a tone mark or SARA AA could
    take another cluster's text). Any other font: nothing, WeasyPrint's mapping stands."""
    key = hashlib.sha256(content).digest()
    if key not in _MAPS:
        import io

        from fontTools.ttLib import TTFont

        mapping: dict[int, str] = {}
        try:
            font = TTFont(io.BytesIO(content), lazy=True)
            cmap = font.getBestCmap()
            if cmap.get(ord(SARA_AM_PRIVATE)) == PDF_GLYPH:
                for code, name in cmap.items():
                    if 0x0E01 <= code <= 0x0E5B and code != 0x0E33:
                        mapping.setdefault(font.getGlyphID(name), chr(code))
                # Marks the font swaps for variants (a tone mark moved up or left, ...) read
                # as the letter they stand for.
                names = {name: chr(code) for code, name in cmap.items() if 0x0E01 <= code <= 0x0E5B}
                for sources, target in _substitutions(font):
                    if target not in names and all(g in names for g in sources):
                        mapping.setdefault(
                            font.getGlyphID(target), "".join(names[g] for g in sources)
                        )
                mapping[font.getGlyphID(PDF_GLYPH)] = SARA_AM
                # NIKHAHIT + tone drawn as one glyph reads as the tone; the SARA AA copy
                # after it as ำ ("น้ำ", NFC).
                for name in font.getGlyphOrder():
                    if match := _NIKHAHIT_TONE.fullmatch(name):
                        mapping[font.getGlyphID(name)] = chr(int(match.group(1), 16))
                if PDF_GLYPH_AA in font.getGlyphOrder():
                    mapping[font.getGlyphID(PDF_GLYPH_AA)] = SARA_AM
        except Exception:  # noqa: BLE001 - not a font we made: leave it alone
            mapping = {}
        _MAPS[key] = mapping
    return _MAPS[key]


def _substitutions(font):
    """((glyph, ...), replacement) of the single and ligature substitutions in the GSUB."""
    if "GSUB" not in font:
        return
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for sub in lookup.SubTable:
            kind = lookup.LookupType
            if kind == 7:
                sub, kind = sub.ExtSubTable, sub.ExtensionLookupType
            if kind == 1:
                for source, target in sub.mapping.items():
                    yield (source,), target
            elif kind == 4:
                for first, ligatures in sub.ligatures.items():
                    for ligature in ligatures:
                        yield (first, *ligature.Component), ligature.LigGlyph


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """HTML → PDF with a searchable Thai text layer, tagged (PDF/UA-1) for screen readers."""
    from weasyprint import HTML

    _patch_weasyprint()
    document = HTML(string=prepare_html(html), base_url=base_url or str(font_dir()))
    return document.write_pdf(pdf_variant="pdf/ua-1")
