"""Writes the web font's Latin files: Sarabun cut to basic Latin (issue 22, ADR 0091).

The Thai files stay as shipped (core/static/vendor/sarabun/, Thai glyphs only). The Latin ones
are cut from the full fonts in core/fonts/ to ASCII and a few typographic marks: 6 kB a weight
instead of 11.5 kB, so the QR feedback page's first visit stays under 60 kB. Other Latin
characters (é, ü…) fall back to the phone's own sans-serif, as the CSS unicode-range says.

Run with `.venv/bin/python script/subset_fonts.py` (fontTools comes with WeasyPrint).
"""

from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "core" / "static" / "vendor" / "sarabun"
# Keep equal to the unicode-range of the basic-Latin faces in core/site.css and core/admin.css.
UNICODES = "U+0020-007E,U+00A0,U+00D7,U+2013-2014,U+2018-2019,U+201C-201D,U+2022,U+2026"
WEIGHTS = {400: "Sarabun_400Regular.ttf", 700: "Sarabun_700Bold.ttf"}


def main() -> None:
    for weight, source in WEIGHTS.items():
        options = subset.Options()
        options.flavor = "woff2"
        options.hinting = False
        options.desubroutinize = True
        options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # keep the licence and names (OFL)
        font = subset.load_font(str(ROOT / "core" / "fonts" / source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
        subsetter.subset(font)
        target = OUT / f"sarabun-basic-latin-{weight}-normal.woff2"
        subset.save_font(font, str(target), options)
        print(f"{target.relative_to(ROOT)}: {target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
