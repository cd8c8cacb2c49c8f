"""National Provider Identifier check digit (CMS: Luhn over the number prefixed with 80840)."""
from __future__ import annotations


def _luhn_sum(digits: str) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total


def is_valid_npi(npi: str | None) -> bool:
    """True for a 10-digit NPI whose last digit is the Luhn check digit over '80840' + NPI."""
    if not isinstance(npi, str) or len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    return _luhn_sum("80840" + npi) % 10 == 0


def with_check_digit(first_nine: str) -> str:
    """The full NPI for nine leading digits (demo data and tests build valid NPIs with it)."""
    for digit in "0123456789":
        if is_valid_npi(first_nine + digit):
            return first_nine + digit
    raise ValueError("nine digits expected")


NPI_MESSAGE = "Enter the 10-digit NPI; its last digit must be the check digit (Luhn over 80840)."
