"""The one TTF font every PDF of the portal embeds: DejaVu Sans, vendored in ``portal/fonts/`` (Bitstream Vera
licence, ``fonts/LICENSE``). Helvetica cannot draw Welsh letters such as ŷ and Ŵ, and embedding our own copy (not
the operating system's) keeps identical documents byte-identical on every machine."""
from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).with_name("fonts")
REGULAR = "EPPSans"
BOLD = "EPPSans-Bold"
_lock = threading.Lock()
_ready = False


def register_fonts() -> tuple[str, str]:
    """Register the regular and bold faces with ReportLab (once per process) and return their names."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
                pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
                pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
                _ready = True
    return REGULAR, BOLD
