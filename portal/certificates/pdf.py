"""The certificate PDF: one A4 page drawn with ReportLab from a :class:`CertificateSnapshot` and nothing else.

Contract
--------
``render_certificate_pdf(snapshot) -> bytes`` is a pure function (architecture rule 10): the same snapshot gives
byte-identical PDFs (ReportLab ``invariant=1``: fixed creation date and document id), and any changed field gives
different bytes. It prints every field of the snapshot a reader needs — holder's name and SWE registration number,
award, programme template (code, name, version), employer, stage dates, decision and decision date, signatories'
roles, certificate code, the verification URL as text and as a vector QR code, the submission's SHA-256 digest in
full, issue date — and says that anyone can check the certificate at the URL.

Text uses DejaVu Sans, vendored in ``portal/fonts/`` (see ``portal.pdf_fonts``) and embedded as a
subset, so Welsh and other accented names ("Siân Llŷr", "Ŵyn") render and can be extracted and searched. The
vendored copy is always used, never the system's, so output does not change with the machine's font packages.
PDF metadata (title, author, subject, keywords, language en-GB) is set for screen readers and indexing; the viewer
shows the title rather than the file name.
"""
from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.ttfonts import TTFont  # noqa: F401
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from portal.pdf_fonts import BOLD, FONT_DIR, REGULAR, register_fonts

from .snapshot import CertificateSnapshot

__all__ = ["DEFAULT_ISSUER_NAME", "FONT_DIR", "format_date", "render_certificate_pdf"]

DEFAULT_ISSUER_NAME = "Expert practitioner pathway for child and family social workers"

_REGULAR = REGULAR
_BOLD = BOLD

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")

_INK = colors.HexColor("#0b0c0c")
_BAND = colors.HexColor("#1d4f73")
_MUTED = colors.HexColor("#505a5f")
_RULE = colors.HexColor("#b1b4b6")


def _register_fonts() -> None:
    register_fonts()


def format_date(value: dt.date | dt.datetime) -> str:
    """GOV.UK style '4 June 2026', independent of the process locale (timestamps are shown as their UTC date)."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).date()
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=_REGULAR, bulletFontName=_REGULAR, fontSize=10.5, leading=14,
                          textColor=_INK, alignment=TA_LEFT)
    return {
        "lead": ParagraphStyle("lead", parent=base, fontSize=12, leading=16, textColor=_MUTED),
        "name": ParagraphStyle("name", parent=base, fontName=_BOLD, fontSize=26, leading=31),
        "award": ParagraphStyle("award", parent=base, fontName=_BOLD, fontSize=17, leading=22),
        "body": base,
        "label": ParagraphStyle("label", parent=base, fontName=_BOLD, fontSize=9.5, leading=13),
        "value": ParagraphStyle("value", parent=base, fontSize=9.5, leading=13),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11, textColor=_MUTED),
        "boxhead": ParagraphStyle("boxhead", parent=base, fontName=_BOLD, fontSize=12, leading=16),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _draw_flow(canvas: Canvas, flowable, x: float, top: float, width: float) -> float:
    """Draw ``flowable`` with its top edge at ``top``; return the y of its bottom edge."""
    _, height = flowable.wrapOn(canvas, width, 10_000)
    flowable.drawOn(canvas, x, top - height)
    return top - height


def _digest_lines(digest: str) -> str:
    return escape(digest[:32]) + "<br/>" + escape(digest[32:])


def render_certificate_pdf(snapshot: CertificateSnapshot, *, issuer_name: str = DEFAULT_ISSUER_NAME) -> bytes:
    """One A4 page of PDF for ``snapshot``; identical input gives identical bytes."""
    _register_fonts()
    st = _styles()
    s = snapshot
    buffer = io.BytesIO()
    page_w, page_h = A4
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1, lang="en-GB",
                    initialFontName=_REGULAR, initialFontSize=10.5)
    canvas.setTitle(f"Certificate {s.certificate_code}: {s.award_title} – {s.holder_name}")
    canvas.setAuthor(issuer_name)
    canvas.setSubject(
        f"{s.award_title} awarded to {s.holder_name} (Social Work England registration number {s.swe_number}). "
        f"Verify at {s.verify_url}"
    )
    canvas.setKeywords(["certificate", s.certificate_code, s.template_code, "verifiable"])
    canvas.setCreator(issuer_name)
    canvas.setViewerPreference("DisplayDocTitle", "true")

    margin = 20 * mm
    width = page_w - 2 * margin

    # Header band
    band_h = 30 * mm
    canvas.setFillColor(_BAND)
    canvas.rect(0, page_h - band_h, page_w, band_h, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(_REGULAR, 10.5)
    canvas.drawString(margin, page_h - 11 * mm, issuer_name)
    canvas.setFont(_BOLD, 24)
    canvas.drawString(margin, page_h - 22 * mm, "Certificate")

    y = page_h - band_h - 12 * mm
    y = _draw_flow(canvas, _p("This certifies that", st["lead"]), margin, y, width) - 2 * mm
    y = _draw_flow(canvas, _p(s.holder_name, st["name"]), margin, y, width) - 1 * mm
    y = _draw_flow(canvas, _p(f"Social Work England registration number {s.swe_number}", st["body"]),
                   margin, y, width) - 5 * mm
    y = _draw_flow(canvas, _p("has been awarded", st["lead"]), margin, y, width) - 2 * mm
    y = _draw_flow(canvas, _p(s.award_title, st["award"]), margin, y, width) - 1 * mm
    if s.award_description:
        y = _draw_flow(canvas, _p(s.award_description, st["body"]), margin, y, width)
    y -= 6 * mm

    # Details
    rows = [
        ("Decision", s.decision_label),
        ("Decision date", format_date(s.decision_date)),
        ("Stage dates", f"{format_date(s.stage_start)} to {format_date(s.stage_end)}"),
        ("Programme", f"{s.template_name} (template {s.template_code}, version {s.template_version})"),
        ("Employer", s.employer_name),
        ("Signed off by", "; ".join(s.signatory_roles)),
        ("Issued", format_date(s.issued_at)),
    ]
    if s.valid_until is not None:
        rows.append(("Valid until", format_date(s.valid_until)))
    rows.append(("Certificate code", s.certificate_code))
    data = [[_p(label, st["label"]), _p(value, st["value"])] for label, value in rows]
    data.append([_p("Submission digest (SHA-256)", st["label"]),
                 Paragraph(_digest_lines(s.submission_sha256), st["value"])])
    label_w = 48 * mm
    table = Table(data, colWidths=[label_w, width - label_w])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), _REGULAR),  # no unembedded standard fonts in the file
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -2), 0.5, _RULE),
        ("LINEABOVE", (0, 0), (-1, 0), 0.5, _RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]))
    y = _draw_flow(canvas, table, margin, y, width)

    # Verification box, anchored to the bottom of the page
    qr_size = 36 * mm
    pad = 5 * mm
    box_bottom = margin + 8 * mm
    text_w = width - qr_size - 3 * pad
    box_text = [
        _p("Check this certificate", st["boxhead"]),
        _p("Anyone can check that this certificate is genuine and see whether it is still valid at:", st["body"]),
        _p(s.verify_url, st["label"]),
        _p(f"or by scanning the QR code, or by entering the certificate code {s.certificate_code} on the "
           "verification page.", st["body"]),
    ]
    heights = [f.wrapOn(canvas, text_w, 10_000)[1] for f in box_text]
    text_h = sum(heights) + 2 * mm * (len(box_text) - 1)
    box_h = max(qr_size, text_h) + 2 * pad
    canvas.setStrokeColor(_BAND)
    canvas.setLineWidth(1.2)
    canvas.rect(margin, box_bottom, width, box_h, stroke=1, fill=0)
    ty = box_bottom + box_h - pad
    for flowable in box_text:
        ty = _draw_flow(canvas, flowable, margin + pad, ty, text_w) - 2 * mm

    widget = QrCodeWidget(s.verify_url, barLevel="M", barWidth=qr_size, barHeight=qr_size, barBorder=4)
    drawing = Drawing(qr_size, qr_size, initialFontName=_REGULAR)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, margin + width - pad - qr_size, box_bottom + (box_h - qr_size) / 2)

    if y < box_bottom + box_h + 4 * mm:  # never overlap: a too-long snapshot is a bug the caller must see
        raise ValueError("certificate content does not fit on one page")

    canvas.setFont(_REGULAR, 8)
    canvas.setFillColor(_MUTED)
    canvas.drawString(margin, margin, f"Issued by {issuer_name} · {s.certificate_code}")

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
