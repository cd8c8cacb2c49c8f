"""What a download says about itself (issue 14): its name cannot turn into a path in either form of
Content-Disposition, its type is stated once, and an image that declares an absurd size is refused
at upload (the viewer shows images inline, where the browser would try to decode it)."""
from __future__ import annotations

import struct
import zlib

import pytest

from clinic.demo.files import make_png, make_text
from clinic.records.errors import RecordError
from clinic.records.sniff import check_image, display_name, download_name, image_size
from tests import factories
from tests.records.test_uploads import post_file

FULL_WIDTH_SOLIDUS = "\uff0f"


def png_claiming(width: int, height: int) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int, padding: int = 0) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    filler = b"\xff\xe1" + struct.pack(">H", padding + 2) + b"\x00" * padding if padding else b""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + filler + sof + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x00" * 32 + b"\xff\xd9"


@pytest.mark.parametrize("name", [f"..{FULL_WIDTH_SOLIDUS}..{FULL_WIDTH_SOLIDUS}etc{FULL_WIDTH_SOLIDUS}passwd",
                                  "scan\uff3c..\uff3cx.pdf", "\u2100.pdf"])  # ／, ＼ and ℀ (a/c) fold to separators
def test_a_name_whose_compatibility_form_holds_a_folder_separator_is_refused(name):
    with pytest.raises(RecordError, match="folder path"):
        display_name(name)


def test_display_names_are_stored_in_their_compatibility_form():
    assert display_name("ｓｃａｎ　１.pdf") == "scan 1.pdf"
    assert display_name("résumé 🩺.png") == "résumé 🩺.png"


@pytest.mark.parametrize("stored, offered", [
    (f"..{FULL_WIDTH_SOLIDUS}..{FULL_WIDTH_SOLIDUS}x.txt", "_.._x.txt"), ("a/b\\c.pdf", "a_b_c.pdf"),
    ("bell\x07.pdf", "bell.pdf"), ("..", "document"), ("", "document"),
])
def test_the_download_name_never_holds_a_separator(stored, offered):
    assert download_name(stored) == offered


def test_a_name_stored_before_the_check_downloads_without_a_path_in_either_form(client_as, case, coordinator,
                                                                                 session):
    document = factories.attach(coordinator, case.record_items[1], make_text("Notes"), name="notes.txt")
    document.original_name = f"..{FULL_WIDTH_SOLIDUS}..{FULL_WIDTH_SOLIDUS}etc{FULL_WIDTH_SOLIDUS}passwd.txt"
    session.commit()
    disposition = client_as("coordinator").get(f"/documents/{document.id}").headers["Content-Disposition"]
    assert "/" not in disposition.replace("%EF%BC%8F", "") and "../" not in disposition
    assert disposition == "attachment; filename=_.._etc_passwd.txt"


def test_a_text_download_states_its_charset_once(client_as, case, coordinator, session):
    document = factories.attach(coordinator, case.record_items[1], make_text("Medication list"), name="meds.txt")
    session.commit()
    response = client_as("coordinator").get(f"/documents/{document.id}")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("content, size", [
    (make_png(64, 48), (64, 48)), (png_claiming(100_000, 100_000), (100_000, 100_000)),
    (jpeg_claiming(640, 480), (640, 480)), (jpeg_claiming(65_000, 65_000, padding=3000), (65_000, 65_000)),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 64, None),
])
def test_the_declared_size_of_an_image_is_read_from_its_header(content, size):
    mime = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
    assert image_size(content, mime) == size


@pytest.mark.parametrize("content, message", [
    (png_claiming(100_000, 100_000), "100000 × 100000 pixels"),
    (png_claiming(1, 30_000), "1 × 30000 pixels"),
    (jpeg_claiming(15_000, 15_000), "15000 × 15000 pixels"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 64, "cannot be read"),
])
def test_an_image_declaring_an_absurd_size_is_refused_at_upload(client_as, case, stored, content, message):
    before = stored()
    response = post_file(client_as("coordinator"), case, content, "scan.png", item=case.record_items[3])
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert stored() == before


def test_an_ordinary_photo_still_uploads():
    check_image(jpeg_claiming(4032, 3024), "image/jpeg")
    check_image(make_png(800, 600), "image/png")
