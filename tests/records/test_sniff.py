"""The upload type is read from the bytes, and the sender's file name is only ever display text."""
from __future__ import annotations

import pytest

from clinic.demo.files import make_pdf, make_png, make_text
from clinic.records.errors import RecordError
from clinic.records.sniff import TEXT, TextCheck, display_name, sniff_binary

DICOM = b"\x00" * 128 + b"DICM" + b"\x02\x00\x00\x00UL\x04\x00" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 64


@pytest.mark.parametrize("content, mime", [
    (make_pdf("Visit summary"), "application/pdf"),
    (make_png(), "image/png"),
    (JPEG, "image/jpeg"),
    (DICOM, "application/dicom"),
])
def test_accepted_binary_types_are_recognised_from_their_bytes(content, mime):
    assert sniff_binary(content).mime == mime


@pytest.mark.parametrize("content, words", [
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, "a program"),
    (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120, "a program"),
    (b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 120, ".zip"),
    (b"GIF89a\x01\x00\x01\x00" + b"\x00" * 40, ".gif"),
])
def test_other_binary_types_are_refused_naming_what_they_are(content, words):
    with pytest.raises(RecordError, match=words):
        sniff_binary(content)


def _text_problem(content: bytes, chunk: int = 7) -> str | None:
    check = TextCheck()
    for start in range(0, len(content), chunk):
        check.feed(content[start:start + chunk])
    check.feed(b"", final=True)
    return check.problem


@pytest.mark.parametrize("content", [
    make_text("Medication list", ["Metformin 500 mg twice daily", "Glucose < 5.6 mmol/L, HbA1c > 7 %"]),
    "Résumé de la consultation: tumeur bénigne, café\tau lait\r\n".encode(),
    "\ufeffWith a byte-order mark\n".encode(),
])
def test_plain_utf8_text_is_accepted(content):
    assert sniff_binary(content) is None and _text_problem(content) is None
    assert TEXT.mime.startswith("text/plain")


@pytest.mark.parametrize("content, words", [
    (b"<!DOCTYPE html><html><body>hi</body></html>", "web page code"),
    (b"  <html>\n<p>report</p>", "web page code"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "web page code"),
    (b'<?xml version="1.0"?><svg onload="alert(1)"/>', "web page code"),
    (b"Lab results\nclick <a href=\"javascript:alert(1)\">here</a>", "web page code"),
    (b"notes\n<scr" + b"ipt>alert(1)</script>", "web page code"),  # split across chunks below
    (b"binary\x00data", "neither a known document type nor readable text"),
    (b"bell \x07 character", "neither a known document type nor readable text"),
    (b"\xff\xfe\xfa latin-1 \xe9", "neither a known document type nor readable text"),
])
def test_text_that_is_markup_or_not_text_is_refused(content, words):
    assert words in _text_problem(content)


@pytest.mark.parametrize("raw, shown", [
    ("report.pdf", "report.pdf"),
    ("  Résumé IRM 2024.pdf ", "Résumé IRM 2024.pdf"),
    ("scan (1).png", "scan (1).png"),
])
def test_plain_file_names_are_kept_as_display_text(raw, shown):
    assert display_name(raw) == shown


@pytest.mark.parametrize("raw, words", [
    ("", "Choose a file"),
    (None, "Choose a file"),
    ("../../etc/passwd", "folder path"),
    ("..\\..\\windows\\win.ini", "folder path"),
    ("/tmp/report.pdf", "folder path"),
    ("..", "folder path"),
    ("report\u202efdp.exe", "control characters"),
    ("report\x00.pdf", "control characters"),
    ("a" * 201 + ".pdf", "longer than 200"),
])
def test_file_names_with_paths_or_tricks_are_refused(raw, words):
    with pytest.raises(RecordError, match=words):
        display_name(raw)
