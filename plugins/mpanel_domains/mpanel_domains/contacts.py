"""Domain contacts: field rules (shared by forms, REST and the client area)
and their registrar form."""

from __future__ import annotations

import re

from mpanel.core.errors import FieldError
from mpanel.modules.customers.validation import check_country, registry_phone
from mpanel_domains.i18n import gettext as _
from mpanel_domains.models import DomainContact
from mpanel_domains.registrar import ContactData

FIELDS = ["first_name", "last_name", "company", "email", "phone", "address1", "address2", "city", "postcode",
          "region", "country"]
REQUIRED = ("first_name", "last_name", "email", "phone", "address1", "city", "postcode", "country")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(value) -> str:
    if not isinstance(value, str) or not _EMAIL.match(value.strip()) or len(value) > 320:
        raise ValueError(_("Enter an e-mail address such as jane@example.com"))
    return value.strip()


def check_phone(value) -> str:
    """``+CC.NUMBER`` as registries want it, from any international spelling
    ("+49 30 1234567", E.164 as customers' phones are stored, "+49.301234567")."""
    try:
        return registry_phone(value if isinstance(value, str) else "")
    except ValueError:
        raise ValueError(_("Enter the phone number as +country code.number, e.g. +49.301234567")) from None


def check_postcode(value) -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 16:
        raise ValueError(_("Enter a postcode of at most 16 characters"))
    return value.strip()


RULES = {"email": check_email, "phone": check_phone, "country": check_country, "postcode": check_postcode}


def clean(values: dict) -> dict:
    """Checked and normalised contact fields; FieldError names the first bad one."""
    result = {}
    for field in FIELDS:
        value = values.get(field)
        value = value.strip() if isinstance(value, str) else value
        if value in (None, ""):
            if field in REQUIRED:
                raise FieldError(field, _("This field is required"))
            result[field] = None
            continue
        try:
            result[field] = RULES[field](value) if field in RULES else value
        except ValueError as exc:
            raise FieldError(field, str(exc)) from None
        if not isinstance(result[field], str) or len(result[field]) > _max_length(field):
            raise FieldError(field, _("Enter at most %(count)s characters", count=_max_length(field)))
    return result


def _max_length(field: str) -> int:
    return DomainContact.__table__.c[field].type.length


def normalise(contact) -> None:
    """Check and normalise a contact row in place (admin form and REST); FieldError if bad."""
    for key, value in clean({field: getattr(contact, field) for field in FIELDS}).items():
        setattr(contact, key, value)


def to_registrar(contact) -> ContactData:
    return ContactData(
        first_name=contact.first_name, last_name=contact.last_name, email=contact.email, phone=contact.phone,
        street=tuple(line for line in (contact.address1, contact.address2) if line), city=contact.city,
        postcode=contact.postcode, country=contact.country, company=contact.company, region=contact.region)
