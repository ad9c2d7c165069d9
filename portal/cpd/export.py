"""A registration year's CPD in Social Work England's form order and wording, as CSV and as a printable PDF.

Rendering is pure: ``build_export`` turns loaded records into a plain snapshot (``CpdExport``), and
``render_csv`` / ``render_pdf`` draw only from that snapshot, so the output is reproducible and testable.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from portal.cpd.wording import SWE_FORM_ORDER
from portal.cpd.years import year_label
from portal.exports import neutralise
from portal.framework.clock import format_date

__all__ = ["CpdExport", "ExportRecord", "build_export", "neutralise", "render_csv", "render_pdf"]


@dataclass(frozen=True)
class ExportRecord:
    """One record's answers as text, keyed by the field names of ``SWE_FORM_ORDER``."""

    answers: dict[str, str]


@dataclass(frozen=True)
class CpdExport:
    practitioner_name: str
    swe_number: str
    year: int
    generated_on: dt.date
    records: tuple[ExportRecord, ...]

    @property
    def year_label(self) -> str:
        return year_label(self.year)


def _hours(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _date(value: dt.date | None) -> str:
    return format_date(value) if value else ""


def build_export(practitioner: Any, year: int, records: list[Any], files: dict[int, list[Any]],
                 titles: dict[str, str], today: dt.date) -> CpdExport:
    """The snapshot of a year's complete records (loaded by ``queries.records_for_export``)."""
    rows = []
    for record in records:
        answers = {
            "title": record.title,
            "activity_type": record.activity_type.label if record.activity_type else "",
            "start_date": _date(record.start_date),
            "end_date": _date(record.end_date),
            "description": record.description,
            "learning": record.learning,
            "impact_practice": record.impact_practice,
            "impact_people": record.impact_people,
            "peer_name": record.peer_name,
            "peer_role": record.peer_role,
            "peer_discussed_on": _date(record.peer_discussed_on),
            "peer_learning": record.peer_learning,
            "standards": "; ".join(titles.get(code, code) for code in record.statement_codes),
            "hours": _hours(record.hours),
            "participatory_hours": _hours(record.participatory_hours),
            "provider": record.provider,
            "files": "; ".join(f.original_name for f in files.get(record.id, [])),
            "status": record.status.label,
        }
        rows.append(ExportRecord(answers))
    return CpdExport(practitioner.name, practitioner.swe_number or "", year, today, tuple(rows))


def render_csv(export: CpdExport) -> str:
    """One row per record, the columns in Social Work England's form order with its questions as headers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(question) for _name, question in SWE_FORM_ORDER])
    for record in export.records:
        writer.writerow([neutralise(record.answers.get(name, "")) for name, _question in SWE_FORM_ORDER])
    return out.getvalue()


def _register_fonts() -> tuple[str, str]:
    from portal.pdf_fonts import register_fonts

    return register_fonts()


def _paragraph(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\r\n", "\n").replace("\n", "<br/>"), style)


def render_pdf(export: CpdExport) -> bytes:
    """A printable A4 document: each record's questions and answers in Social Work England's order."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer

    regular, bold = _register_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14, spaceAfter=6)
    question = ParagraphStyle("question", parent=body, fontName=bold, spaceAfter=2)
    heading = ParagraphStyle("heading", parent=body, fontName=bold, fontSize=14, leading=18, spaceBefore=12,
                             spaceAfter=8)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=20, leading=24, spaceAfter=10)
    muted = ParagraphStyle("muted", parent=body, textColor=colors.HexColor("#484949"))

    story: list[Any] = [
        _paragraph("Continuing professional development record", title),
        _paragraph(f"{export.practitioner_name}", heading),
        _paragraph(f"Social Work England registration number: {export.swe_number or 'not recorded'}", body),
        _paragraph(f"Registration year: {export.year_label}", body),
        _paragraph(f"{len(export.records)} complete CPD record{'s' if len(export.records) != 1 else ''}. "
                   f"Made on {format_date(export.generated_on)}. The questions follow the order of Social Work "
                   "England's CPD form.", muted),
    ]
    if not export.records:
        story.append(_paragraph("There are no complete CPD records in this registration year.", body))
    for number, record in enumerate(export.records, start=1):
        story.append(_paragraph(f"{number}. {record.answers.get('title', '')}", heading))
        for name, text in SWE_FORM_ORDER:
            if name == "title":
                continue
            answer = record.answers.get(name, "") or "Not given"
            story.append(KeepTogether([_paragraph(text, question), _paragraph(answer, body)]))
        story.append(Spacer(1, 4 * mm))
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                                 bottomMargin=18 * mm, title=f"CPD record {export.year_label}",
                                 author=export.practitioner_name, invariant=1)
    footer = f"{export.practitioner_name}: CPD record, registration year {export.year - 1} to {export.year}"

    def draw_footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(18 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return out.getvalue()
