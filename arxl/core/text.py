"""Text as arxl compares it: upper case, without accents, at most 2,000 characters.

Bank narratives, customer names and invoice numbers are compared folded, so that ``Société Générale`` and
``SOCIETE GENERALE`` are the same words. A narrative longer than :data:`LONGEST` characters is cut: no bank
writes more, and matching time stays bounded.

>>> fold("Société Générale")
'SOCIETE GENERALE'
"""

from __future__ import annotations

import unicodedata

__all__ = ["LONGEST", "fold"]

LONGEST = 2000


def fold(text: str) -> str:
    """Upper-case without accents (``Société`` -> ``SOCIETE``), at most :data:`LONGEST` characters."""
    text = text[:LONGEST]
    if text.isascii():  # the common case, and the same answer, 30 times faster
        return text.upper()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
