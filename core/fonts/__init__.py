"""Thai fonts for the PDFs the portal renders (WeasyPrint): Sarabun, the typeface of Thai
official documents, OFL-licensed (OFL.txt), from the npm package @expo-google-fonts/sarabun."""

from pathlib import Path

THAI_FONT_DIR = Path(__file__).resolve().parent
