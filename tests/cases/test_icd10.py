"""ICD-10-CM validation against the published code set."""
import pytest

from clinic.cases import icd10


@pytest.mark.parametrize("code, described", [
    ("C50.911", "Malignant neoplasm of unspecified site of right female breast"),
    ("c50911", "Malignant neoplasm of unspecified site of right female breast"),
    ("C50", "Malignant neoplasm of breast"),
    ("M54.50", "Low back pain, unspecified"),
])
def test_real_codes_are_described(code, described):
    assert icd10.describe(code) == described


@pytest.mark.parametrize("code", ["Z99.99", "C00-D49", "XYZ", "", None, "<script>", "C50.911' OR '1'='1", "C" * 5000])
def test_invalid_codes_are_refused(code):
    assert icd10.describe(code) is None


@pytest.mark.parametrize("code, neoplasm", [("C50.911", True), ("D25.9", True), ("D49", True),
                                             ("D50.0", False), ("M17.11", False), (None, False)])
def test_neoplasm_chapter_is_c00_to_d49(code, neoplasm):
    assert icd10.is_neoplasm(code) is neoplasm
