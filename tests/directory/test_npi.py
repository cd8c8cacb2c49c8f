"""NPI check digit: Luhn over the number prefixed with 80840 (CMS NPI standard)."""
import pytest

from clinic.directory.npi import is_valid_npi, with_check_digit


@pytest.mark.parametrize("npi, valid", [
    ("1234567893", True),       # the CMS worked example
    ("1234567890", False),      # wrong check digit
    ("123456789", False),       # nine digits
    ("12345678931", False),     # eleven digits
    ("12345678a3", False),      # a letter
    ("", False),
    (None, False),
    ("１２３４５６７８９３", False),  # full-width digits are not ASCII
    ("1234567893\n", False),
    ("' OR 1=1 --", False),
])
def test_npi_check_digit(npi, valid):
    assert is_valid_npi(npi) is valid


def test_with_check_digit_completes_a_valid_npi():
    assert with_check_digit("123456789") == "1234567893"
