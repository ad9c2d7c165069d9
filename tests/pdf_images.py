"""Rasterise PDF pages for tests with PDFium (pypdfium2, a wheel with PDFium inside): no system package needed."""
from __future__ import annotations

from typing import Any


def pdf_page_image(data: bytes, *, page: int = 0, dpi: int = 150, grey: bool = True) -> Any:
    """The page of a PDF (bytes) as a PIL image at ``dpi``."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        bitmap = document[page].render(scale=dpi / 72, grayscale=grey)
        return bitmap.to_pil().copy()
    finally:
        document.close()


def qr_codes_in_pdf(data: bytes, *, page: int = 0) -> list[str]:
    """The texts of the QR codes found on a page of a PDF."""
    import zxingcpp

    image = pdf_page_image(data, page=page)
    return [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
