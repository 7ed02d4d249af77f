"""VAT identification numbers: check digits always, VIES online only when enabled.

The online check is python-stdnum's ``check_vies`` (SOAP through zeep) and is
pluggable (``set_online_check``). It answers valid or invalid, or raises
``CouldNotCheck`` when VIES did not answer (network, SOAP fault such as
MS_UNAVAILABLE): that is no verdict on the number (see tax/vies.py).
"""

from __future__ import annotations

from collections.abc import Callable

from stdnum.eu import vat

from mpanel.modules.customers.validation import compact_vat_id

# VIES faults that are a verdict on the request, not an outage.
_INVALID_FAULTS = ("INVALID_INPUT",)


class CouldNotCheck(Exception):
    """VIES gave no answer on the number."""


def _vies(number: str) -> bool:
    try:
        return bool(vat.check_vies(number, timeout=10)["valid"])
    except Exception as exc:  # zeep's Fault and TransportError, requests' errors, a broken WSDL ...
        if any(code in str(exc) for code in _INVALID_FAULTS):
            return False
        raise CouldNotCheck(f"{type(exc).__name__}: {exc}") from exc


_online_check: Callable[[str], bool] = _vies


def set_online_check(check: Callable[[str], bool]) -> Callable[[str], bool]:
    """Replace the online check (returns the previous one)."""
    global _online_check
    previous, _online_check = _online_check, check
    return previous


def check_online(number: str) -> bool:
    """VIES' verdict on a compact VAT id; CouldNotCheck when there is none."""
    return _online_check(vat.compact(number))


def vat_country(number: str) -> str | None:
    """The ISO country of a well-formed VAT id (EU, CH, NO, GB), else None."""
    checked = compact_vat_id(number) if number else None
    return checked[0] if checked else None


def is_valid_for(number: str | None, country: str) -> bool:
    """A VAT id with valid check digits, issued by ``country``."""
    return vat_country(number or "") == country


def is_eu(number: str) -> bool:
    """An EU VAT id, the only kind VIES knows."""
    return vat.is_valid(number)
