"""ISO 11649 structured creditor references ("RF" references) for invoices.

``RF`` + two check digits (ISO 7064 MOD 97-10, as IBANs) + up to 21 letters and
digits taken from the invoice number, so a transfer names its invoice and a
typo is caught by the check digits.
"""

from __future__ import annotations

import re

_BODY = re.compile(r"[^A-Z0-9]")
_FOUND = re.compile(r"RF\d{2}(?: ?[A-Z0-9]){1,21}")  # as printed: groups may be separated by spaces


def _numeric(text: str) -> int:
    return int("".join(str(int(char, 36)) for char in text))


def creditor_reference(number: str) -> str:
    """The RF reference of an invoice number, e.g. INV-2026-00001 -> RF76INV202600001."""
    body = _BODY.sub("", number.upper())[-21:]
    if not body:
        raise ValueError("the invoice has no number to make a reference from")
    return f"RF{98 - _numeric(body + 'RF00') % 97:02d}{body}"


def is_valid(reference: str) -> bool:
    reference = re.sub(r"\s", "", reference or "").upper()
    if not re.fullmatch(r"RF\d{2}[A-Z0-9]{1,21}", reference):
        return False
    return _numeric(reference[4:] + reference[:4]) % 97 == 1


def grouped(reference: str) -> str:
    """For people: groups of four, "RF76 INV2 0260 0001"."""
    return " ".join(reference[i:i + 4] for i in range(0, len(reference), 4))


def references_in(text: str) -> list[str]:
    """Valid RF references in free text (remittance information), spaces removed. A
    match may run into the next word, so the longest valid prefix of each is taken."""
    found = []
    for match in _FOUND.finditer((text or "").upper()):
        candidate = match.group().replace(" ", "")
        valid = next((candidate[:n] for n in range(len(candidate), 4, -1) if is_valid(candidate[:n])), None)
        if valid:
            found.append(valid)
    return found
