"""Masks what could identify a person in free text before it is stored: e-mail addresses
and phone numbers (French and international forms).

    >>> mask("Écrivez à jean.dupont@mairie-lille.fr ou au 06 12 34 56 78.")
    'Écrivez à [e-mail] ou au [téléphone].'
    >>> mask("+33 (0)3 20 12 34 56, 0320123456 et la loi n° 2014-856 de 2014")
    '[téléphone], [téléphone] et la loi n° 2014-856 de 2014'
"""

from __future__ import annotations

import re

from ..wording import EMAIL_MASK, PHONE_MASK

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A leading + / 00 / 0, then at least 9 digits with optional spaces, dots, dashes or "(0)".
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?|0)\d(?:[\s.-]?\d){7,11}(?!\w)"
)


def mask(text: str) -> str:
    """`text` with e-mail addresses and phone numbers replaced by placeholders."""
    if not text:
        return text or ""
    return PHONE.sub(PHONE_MASK, EMAIL.sub(EMAIL_MASK, text))
