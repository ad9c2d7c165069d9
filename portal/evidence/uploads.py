"""Checking an uploaded file before anything is stored: real type by content, size, and hostile archives.

The allowed types are PDF, DOCX, XLSX, PPTX, PNG, JPEG and plain text. The browser's claimed type and the file's
name are never trusted: the content decides, and a name whose extension disagrees with the content is refused.
"""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import filetype

from portal.exceptions import DomainError

ALLOWED = {
    # detected extension: (MIME type, extensions a name may carry, label)
    "pdf": ("application/pdf", {"pdf"}, "PDF"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {"docx"}, "DOCX"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {"xlsx"}, "XLSX"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", {"pptx"}, "PPTX"),
    "png": ("image/png", {"png"}, "PNG"),
    "jpg": ("image/jpeg", {"jpg", "jpeg"}, "JPEG"),
    "txt": ("text/plain; charset=utf-8", {"txt"}, "TXT"),
}
ALLOWED_LABEL = "PDF, DOCX, XLSX, PPTX, PNG, JPEG or TXT"
OOXML_FOLDER = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}

MAX_ZIP_ENTRIES = 5000
MAX_ZIP_UNCOMPRESSED = 250 * 1024 * 1024
MAX_ZIP_RATIO = 150
_MARKUP = re.compile(rb"<\s*(script|html|svg|!doctype|\?xml|iframe|object|embed)\b", re.IGNORECASE)
#: web page code that has no place in a PDF or an image (a polyglot a browser or viewer could run); narrower than
#: _MARKUP because PDFs and photos legitimately carry XML metadata
_SCRIPT_IN_BINARY = re.compile(rb"<\s*(script|html|body|svg|!doctype\s+html|iframe|object|embed)\b", re.IGNORECASE)


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, held in memory or a spooled temp file, ready to store."""

    data: BinaryIO
    original_name: str
    extension: str
    content_type: str
    size_bytes: int
    sha256: str


def sanitise_filename(name: str | None) -> str:
    """Keep only a safe display name: no folders, no control characters, no leading dots, at most 200 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 190] + dot + ext[:9]) if dot else name[:200]
    return name or "file"


def _name_extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _check_ooxml(data: BinaryIO, detected: str) -> None:
    """A DOCX/XLSX/PPTX is a ZIP: refuse zip bombs, macro-enabled content and archives that are not what they say."""
    try:
        with zipfile.ZipFile(data) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise DomainError("The selected file is not a valid document (too many parts)", "files")
            names = {e.filename for e in entries}
            if "[Content_Types].xml" not in names or not any(n.startswith(OOXML_FOLDER[detected]) for n in names):
                raise DomainError("The selected file is not a valid document", "files")
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise DomainError("The selected file contains macros. Save it without macros and upload it again",
                                  "files")
            total = sum(e.file_size for e in entries)
            packed = sum(e.compress_size for e in entries) or 1
            if total > MAX_ZIP_UNCOMPRESSED or total / packed > MAX_ZIP_RATIO:
                raise DomainError("The selected file cannot be checked safely (it expands too much when opened)",
                                  "files")
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise DomainError("The selected file is damaged or is not a valid document", "files") from None
    finally:
        data.seek(0)


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is fine
        if exc.start < len(sample) - 4:
            return False
    return _MARKUP.search(sample) is None


def check_upload(stream: BinaryIO, filename: str | None, *, max_bytes: int) -> CheckedUpload:
    """Read and check one upload; raise DomainError (field ``files``) naming the problem."""
    name = sanitise_filename(filename)
    digest = hashlib.sha256()
    buffer = io.BytesIO()
    size = 0
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise DomainError(f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB", "files")
        digest.update(chunk)
        buffer.write(chunk)
    if size == 0:
        raise DomainError(f"The selected file '{name}' is empty", "files")
    buffer.seek(0)
    head = buffer.read(8192)
    buffer.seek(0)
    kind = filetype.guess(head)
    detected = kind.extension if kind else None
    if detected is None:
        buffer.seek(0)
        if _looks_like_text(buffer.read(1024 * 1024)):
            detected = "txt"
        buffer.seek(0)
    if detected == "jpeg":
        detected = "jpg"
    if detected not in ALLOWED:
        raise DomainError(f"The selected file must be a {ALLOWED_LABEL}", "files")
    mime, extensions, label = ALLOWED[detected]
    if _name_extension(name) not in extensions:
        raise DomainError(f"The selected file '{name}' is a {label} file but its name does not end "
                          f"in .{min(extensions)}. Rename it and upload it again", "files")
    if detected in OOXML_FOLDER:
        _check_ooxml(buffer, detected)
    if detected in ("pdf", "png", "jpg") and _SCRIPT_IN_BINARY.search(buffer.getvalue()):
        raise DomainError(f"The selected file '{name}' contains web page code (HTML or script). Save it again as a "
                          f"plain {label} file and upload it", "files")
    if detected == "txt":
        content = buffer.getvalue()
        if not _looks_like_text(content):
            raise DomainError(f"The selected file must be a {ALLOWED_LABEL}", "files")
    return CheckedUpload(buffer, name, detected, mime, size, digest.hexdigest())
