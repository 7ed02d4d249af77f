"""Domain and host names: IDNA 2008 (A-label stored, U-label shown), the
rules of RFC 1035/5891, and the other inputs checked before any registrar call.

Each check raises :class:`FieldError` naming the field, or returns the
normalised value.
"""

from __future__ import annotations

import re
import unicodedata

import idna

from mpanel.core.errors import FieldError
from mpanel_domains.constants import MAX_NAMESERVERS, MAX_YEARS
from mpanel_domains.i18n import gettext as _

_LDH = re.compile(r"^[a-z0-9-]+$")


def to_ascii(value, field: str = "name") -> str:
    """The A-label form of a domain or host name (lower case, no final dot)."""
    raw = (value or "").strip() if isinstance(value, str) else ""
    name = raw.removesuffix(".")
    if not name:
        raise FieldError(field, _("Enter a domain name"))
    if name.isascii():  # the plain rules first, for the clearest message
        _check_labels(name.lower(), raw, field)
    try:
        ascii_name = idna.encode(name, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise _invalid(field, raw, str(exc)) from None
    _check_labels(ascii_name, raw, field)
    return ascii_name


def _invalid(field: str, raw: str, reason: str) -> FieldError:
    return FieldError(field, _("%(name)s is not a valid domain name: %(reason)s", name=raw, reason=reason))


def _check_labels(name: str, raw: str, field: str) -> None:
    """RFC 1035 length and LDH rules on the A-label form (a second line behind idna)."""
    def fail(reason):
        raise _invalid(field, raw, reason)

    if len(name) > 253:
        fail(_("longer than 253 characters"))
    labels = name.split(".")
    for label in labels:
        if not 1 <= len(label) <= 63:
            fail(_("each part must have 1 to 63 characters"))
        if not _LDH.match(label):
            fail(_("only letters, digits and hyphens are allowed"))
        if label.startswith("-") or label.endswith("-"):
            fail(_("a part must not start or end with a hyphen"))
        if label[2:4] == "--" and not (label.startswith("xn--") and _valid_a_label(label)):
            fail(_("\"--\" in the third and fourth position is reserved for IDN (xn--)"))
    if labels[-1].isdigit():
        fail(_("the top-level domain cannot be numeric"))


def _valid_a_label(label: str) -> bool:
    try:
        idna.decode(label)
    except (idna.IDNAError, UnicodeError):
        return False
    return True


def to_unicode(ascii_name: str) -> str:
    """The U-label form for display; the A-label if it cannot be decoded."""
    try:
        return idna.decode(ascii_name)
    except (idna.IDNAError, UnicodeError):
        return ascii_name


def split(ascii_name: str, tlds, field: str = "name") -> tuple[str, str]:
    """(second-level label, TLD) by the longest known TLD; FieldError if none fits."""
    for tld in sorted(tlds, key=len, reverse=True):
        if ascii_name.endswith("." + tld):
            label = ascii_name[: -len(tld) - 1]
            if "." in label:
                raise FieldError(field, _("Register the domain itself, not a subdomain: %(name)s",
                                          name=to_unicode(ascii_name)))
            return label, tld
    if "." not in ascii_name:
        raise FieldError(field, _("Add the extension, e.g. %(name)s.com", name=to_unicode(ascii_name)))
    tld = ascii_name.split(".", 1)[1]
    raise FieldError("tld", _(".%(tld)s is not offered", tld=to_unicode(tld)))


def check_nameservers(values, field: str = "nameservers") -> list[str]:
    """Host names (A-labels), at least two labels each, no duplicates, at most 13."""
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    if not isinstance(values, (list, tuple)):
        raise FieldError(field, _("Give a list of host names"))
    hosts = []
    for value in values:
        host = to_ascii(value, field)
        if "." not in host:
            raise FieldError(field, _("%(host)s is not a host name (e.g. ns1.example.net)", host=value))
        if host in hosts:
            raise FieldError(field, _("%(host)s is listed twice", host=value))
        hosts.append(host)
    if len(hosts) > MAX_NAMESERVERS:
        raise FieldError(field, _("At most %(count)s name servers", count=MAX_NAMESERVERS))
    return hosts


def check_years(value, field: str = "years") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        raise FieldError(field, _("Give a whole number of years"))
    years = int(value)
    if not 1 <= years <= MAX_YEARS:
        raise FieldError(field, _("The period must be 1 to %(max)s years", max=MAX_YEARS))
    return years


def check_auth_code(value, field: str = "auth_code") -> str:
    """An EPP auth code: 1-64 printable characters, no control characters."""
    if not isinstance(value, str) or not value:
        raise FieldError(field, _("Enter the transfer (EPP) code"))
    if any(unicodedata.category(char).startswith("C") for char in value):
        raise FieldError(field, _("The transfer code must not contain control characters"))
    if len(value) > 64 or value != value.strip():
        raise FieldError(field, _("The transfer code must be 1 to 64 characters without surrounding spaces"))
    return value
