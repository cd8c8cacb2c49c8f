"""What an uploaded file really is, from its bytes, and whether its name is safe to show.

Pure: no Flask, no database. The type is read from the content (magic numbers via
`filetype`, the DICOM 'DICM' marker at offset 128, UTF-8 text), never from the
file name or the browser's Content-Type, both of which the sender controls.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

import filetype

from clinic.records.errors import RecordError

HEAD_BYTES = 8192  # what filetype reads; enough for every signature below


@dataclass(frozen=True)
class FileType:
    mime: str
    label: str


ACCEPTED = {
    "application/pdf": FileType("application/pdf", "PDF"),
    "image/png": FileType("image/png", "PNG image"),
    "image/jpeg": FileType("image/jpeg", "JPEG image"),
    "application/dicom": FileType("application/dicom", "DICOM image"),
}
TEXT = FileType("text/plain; charset=utf-8", "Plain text")
ACCEPTED_NAMES = "a PDF, PNG, JPEG, DICOM or plain-text file"

PROGRAMS = {"exe", "elf", "dex", "dey", "swf", "crx", "nes", "wasm", "class"}

# Control characters other than tab, line feed, form feed and carriage return, and C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# What a browser would treat as a page or run as script: refused even though it is text.
MARKUP = re.compile(
    r"<\s*(?:script|html|svg|iframe|frame|object|embed|body|head|meta|style|link|base|form|math|xml"
    r"|!doctype|\?xml|img\s|a\s+href)|javascript:|vbscript:|data:text/html",
    re.IGNORECASE,
)

EMPTY = "The file is empty. Choose the file again; it may not have finished downloading."
NOT_TEXT = (f"This file is not {ACCEPTED_NAMES} (it is neither a known document type nor readable text). "
            "Save or print it as PDF and upload that.")
WEB_CODE = ("This file contains web page code (HTML, SVG or script), which cannot be attached. "
            "Save it as PDF and upload that.")


def refused_binary(extension: str) -> str:
    what = "a program" if extension in PROGRAMS else f"a .{extension} file"
    return f"This file is {what}, whatever its name says, and cannot be attached. Upload {ACCEPTED_NAMES}."


def sniff_binary(head: bytes) -> FileType | None:
    """The accepted type of a binary document, None when the bytes may be text.

    Raises RecordError for a recognised type that is not accepted (a program, an archive...).
    """
    kind = filetype.guess(head) if head else None
    if kind is None:
        return None
    if kind.mime in ACCEPTED:
        return ACCEPTED[kind.mime]
    raise RecordError(refused_binary(kind.extension), field="file", status=422)


class TextCheck:
    """Fed the file chunk by chunk: valid UTF-8, no control characters, no web page code."""

    def __init__(self):
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._tail = ""
        self.problem: str | None = None

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if self.problem:
            return
        try:
            text = self._decoder.decode(chunk, final)
        except UnicodeDecodeError:
            self.problem = NOT_TEXT
            return
        if CONTROL.search(text):
            self.problem = NOT_TEXT
            return
        window = self._tail + text
        if MARKUP.search(window):
            self.problem = WEB_CODE
        self._tail = window[-40:]  # a tag split across two chunks is still seen


def display_name(raw: str | None) -> str:
    """The sender's file name, kept only as text to show; refused when it carries a path or tricks.

    It is never used to build a path (files are stored under random keys), but a name
    with folder parts or invisible characters is refused rather than silently changed,
    so what the coordinator sees is what the sender called it.
    """
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if not name:
        raise RecordError("Choose a file to upload.", field="file")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise RecordError("The file name contains a folder path ('/', '\\' or '..'). "
                          "Rename the file and upload it again.", field="file")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in name):
        raise RecordError("The file name contains hidden control characters. "
                          "Rename the file and upload it again.", field="file")
    if len(name) > 200:
        raise RecordError("The file name is longer than 200 characters. Rename the file and upload it again.",
                          field="file")
    return name
