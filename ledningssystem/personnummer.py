"""Find Swedish personal identity numbers in free text.

Free-text fields are read by many; a client's personnummer belongs in the
restricted identity field. ``find`` returns the numbers that look real:
10 or 12 digits, with or without a separator, a plausible date (or a
samordningsnummer's day + 60) and a valid Luhn check digit.
"""

from __future__ import annotations

import datetime
import re

# Hyphen, plus (over 100), and the dashes word processors put in their place.
_CANDIDATE = re.compile(r"(?<!\d)((?:19|20)?\d{6})\s?([-+\u2010-\u2015\u2212])?\s?(\d{4})(?!\d)")


def _luhn_ok(ten_digits: str) -> bool:
    total = 0
    for i, char in enumerate(ten_digits):
        product = int(char) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return total % 10 == 0


def _date_ok(yymmdd: str) -> bool:
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    if day > 60:  # samordningsnummer
        day -= 60
    try:
        datetime.date(2000, month, day)
    except ValueError:
        return False
    return True


def find(text: str) -> list[str]:
    """The personal identity numbers in ``text``, as written."""
    found = []
    for match in _CANDIDATE.finditer(text or ""):
        date_part, _sep, last = match.groups()
        ten = date_part[-6:] + last
        if _date_ok(date_part[-6:]) and _luhn_ok(ten):
            found.append(match.group(0).strip())
    return found


def redact(text: str, numbers: list[str], replacement: str) -> str:
    # Longest first: "121212-1212" must not be replaced inside "19121212-1212".
    for number in sorted(numbers, key=len, reverse=True):
        text = text.replace(number, replacement)
    return text
