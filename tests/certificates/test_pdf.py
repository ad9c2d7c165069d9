"""The certificate PDF: every field in its text, Welsh names, a QR that scans to the verify URL, reproducible bytes."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from portal.certificates.pdf import FONT_DIR, format_date, render_certificate_pdf
from portal.certificates.snapshot import CertificateSnapshot
from tests.certificates.factories import changed, make_snapshot
from tests.pdf_images import qr_codes_in_pdf


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def rendered() -> tuple[CertificateSnapshot, bytes]:
    snap = make_snapshot()
    return snap, render_certificate_pdf(snap)


def test_text_carries_every_field(rendered: tuple[CertificateSnapshot, bytes]) -> None:
    snap, data = rendered
    text = pdf_text(data)
    flat = squash(text)
    assert "Siân Llŷr" in text
    expected = [
        snap.holder_name,
        snap.swe_number,
        snap.award_title,
        snap.award_description,
        snap.template_code,
        snap.template_name,
        f"version {snap.template_version}",
        snap.employer_name,
        "1 September 2025 to 31 August 2026",  # stage start and end
        "14 September 2026",  # decision date
        "Pass with targeted development",  # decision
        "15 September 2026",  # issued
        snap.certificate_code,
        snap.verify_url,
        *snap.signatory_roles,
    ]
    for value in expected:
        assert squash(value) in flat, value
    assert snap.submission_sha256 in re.sub(r"\s+", "", text)  # wrapped, but printed in full
    assert "Anyone can check that this certificate is genuine" in flat
    assert "Valid until" in flat and format_date(snap.valid_until) in flat


def test_metadata_and_page(rendered: tuple[CertificateSnapshot, bytes]) -> None:
    snap, data = rendered
    reader = PdfReader(io.BytesIO(data))
    meta = reader.metadata
    assert snap.certificate_code in meta.title and "Siân Llŷr" in meta.title
    assert meta.author
    assert snap.verify_url in meta.subject
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    assert reader.trailer["/Root"].get("/Lang") == "en-GB"
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(fonts[f].get_object()["/BaseFont"]) for f in fonts}
    assert names == {"/AAAAAA+DejaVuSans", "/AAAAAA+DejaVuSans-Bold"}  # embedded subsets only, no standard fonts


@pytest.mark.parametrize("name", ["Siân Llŷr", "Ŵyn ap Siôn", "Ffion Ŷr-Ŵen", "Zoë Ní Bhriain-Łukasz"])
def test_names_render_with_the_embedded_font(name: str) -> None:
    from reportlab.pdfbase import pdfmetrics

    text = pdf_text(render_certificate_pdf(make_snapshot(holder_name=name)))
    assert name in text
    face = pdfmetrics.getFont("EPPSans-Bold").face  # the name is drawn in bold
    assert all(ord(ch) in face.charToGlyph for ch in name if not ch.isspace()), "a glyph is missing"


def test_identical_snapshots_give_identical_bytes(rendered: tuple[CertificateSnapshot, bytes]) -> None:
    snap, data = rendered
    again = CertificateSnapshot.from_json(snap.to_json())
    assert render_certificate_pdf(again) == data
    assert render_certificate_pdf(snap) == data


@pytest.mark.parametrize("change", [
    {"holder_name": "Sian Llyr"},
    {"submission_sha256": "0" * 63 + "1"},
    {"decision": "PASS"},
    {"template_version": "4"},
    {"signatory_roles": ("Assessor",)},
])
def test_a_changed_field_changes_the_bytes(rendered: tuple[CertificateSnapshot, bytes], change: dict) -> None:
    snap, data = rendered
    assert render_certificate_pdf(changed(snap, **change)) != data


def test_long_values_still_fit_on_one_page() -> None:
    snap = make_snapshot(
        holder_name="Gwenllian Angharad Myfanwy ap Rhydderch-Llywelyn Ŵynne",
        employer_name="Royal Borough of Kensington and Chelsea and Westminster City Council Bi-borough "
                      "Children's Services (Family Services Directorate)",
        template_name="Five-year early career framework for child and family social workers (England), "
                      "child protection specialism pathway",
        signatory_roles=("Assessor", "Practice supervisor", "Moderation panel chair", "Principal social worker",
                         "Independent assessor (year 5)", "External sampler"),
    )
    text = squash(pdf_text(render_certificate_pdf(snap)))
    assert "Children's Services" in text and "External sampler" in text


def test_fonts_are_vendored_with_their_licence() -> None:
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        assert 100_000 < (FONT_DIR / name).stat().st_size < 1_000_000
    assert "Bitstream" in (FONT_DIR / "LICENSE").read_text()


def test_qr_code_decodes_to_the_verify_url(rendered: tuple[CertificateSnapshot, bytes]) -> None:
    snap, data = rendered
    assert qr_codes_in_pdf(data) == [snap.verify_url]
