"""What an uploaded file really is, from its bytes, and whether its name is safe to show.

Pure: no Flask, no database. The type is read from the content (magic numbers via
`filetype`, the DICOM 'DICM' marker at offset 128, UTF-8 text), never from the
file name or the browser's Content-Type, both of which the sender controls.
"""
from __future__ import annotations

import codecs
import re
import struct
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


# Images are shown inline in the specialist's viewer: a header claiming 100000 x 100000 pixels has the
# browser try to allocate tens of gigabytes to decode a file of a few kilobytes (a decompression bomb).
# Scans and photos stay far below these.
MAX_IMAGE_SIDE = 20_000
MAX_IMAGE_PIXELS = 100_000_000
UNREADABLE_IMAGE = ("The size of this image cannot be read; the file may be damaged. "
                    "Save it again as PNG or JPEG and upload that.")
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def image_size(head: bytes, mime: str) -> tuple[int, int] | None:
    """(width, height) declared by a PNG's IHDR or a JPEG's start-of-frame within `head`, else None."""
    if mime == "image/png":
        if len(head) >= 24 and head[12:16] == b"IHDR":
            return struct.unpack(">II", head[16:24])
        return None
    at = 2  # after the JPEG's start-of-image marker
    while at + 4 <= len(head):
        if head[at] != 0xFF:
            return None
        marker = head[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD9)):  # markers without a length
            at += 2
            continue
        if marker == 0xDA:  # scan data began before any frame header
            return None
        if marker in _JPEG_FRAMES:
            if at + 9 > len(head):
                return None
            height, width = struct.unpack(">HH", head[at + 5:at + 9])
            return width, height
        at += 2 + struct.unpack(">H", head[at + 2:at + 4])[0]
    return None


def check_image(head: bytes, mime: str) -> None:
    """RecordError unless the image declares a size a browser can safely decode."""
    size = image_size(head, mime)
    if size is None or 0 in size:
        raise RecordError(UNREADABLE_IMAGE, field="file", status=422)
    width, height = size
    if max(width, height) > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise RecordError(f"This image declares {width} × {height} pixels, more than any scan or photo needs. "
                          "Save it at a smaller size and upload it again.", field="file", status=422)


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
    so what the coordinator sees is what the sender called it. NFKC first: a full-width solidus
    (U+FF0F) passed the folder check as itself and became "/" in the ASCII form of the download's
    Content-Disposition ("..／..／x" -> "../../x"); after NFKC it is "/", and refused here.
    """
    name = unicodedata.normalize("NFKC", (raw or "").strip())
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


def download_name(name: str | None) -> str:
    """The name a download is offered under: NFKC (so its ASCII fallback, which Werkzeug derives by
    dropping accents, cannot gain a "/" that only a compatibility form hid), without folder
    separators or control characters. Names stored before display_name normalized pass here too."""
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    text = text.replace("/", "_").replace("\\", "_")
    text = text.strip(" .")
    return text or "document"
