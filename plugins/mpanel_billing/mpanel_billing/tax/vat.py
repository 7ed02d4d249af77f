"""VAT identification numbers: check digits always, VIES online only when enabled.

The online check is pluggable (``set_online_check``) and off by default: it
needs the network and a SOAP client. The default online check is
python-stdnum's ``check_vies``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from stdnum.eu import vat

from .eu import VAT_PREFIX_TO_COUNTRY

log = logging.getLogger(__name__)


def _vies(number: str) -> bool:
    return bool(vat.check_vies(number)["valid"])


_online_check: Callable[[str], bool] = _vies


def set_online_check(check: Callable[[str], bool]) -> Callable[[str], bool]:
    """Replace the online check (returns the previous one)."""
    global _online_check
    previous, _online_check = _online_check, check
    return previous


def vat_country(number: str) -> str | None:
    """The ISO country of a well-formed EU VAT id, else None."""
    if not number or not vat.is_valid(number):
        return None
    prefix = vat.compact(number)[:2]
    return VAT_PREFIX_TO_COUNTRY.get(prefix, prefix)


def is_valid_for(number: str | None, country: str, online: bool = False) -> bool:
    """A VAT id with valid check digits, issued by ``country`` (and, if asked, known to VIES)."""
    if vat_country(number or "") != country:
        return False
    if not online:
        return True
    try:
        return _online_check(vat.compact(number))
    except Exception as exc:  # VIES is often down: charge VAT rather than guess
        log.warning("online VAT id check failed for %s: %s", number, exc)
        return False
