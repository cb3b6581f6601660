"""Keep personal data out of the logs.

Messages and arguments are scrubbed of e-mail addresses and Swedish personal
identity numbers before they are written; the remaining fields are ids and
technical facts only.
"""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[e-post]"),
    (re.compile(r"\b(?:19|20)?\d{6}[-+]?\d{4}\b"), "[personnummer]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        record.msg = redact(message)
        record.args = ()
        return True
