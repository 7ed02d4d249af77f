"""Input rules shared by the admin forms and the REST schemas.

Field rules are ``check(value)`` functions raising ValueError (wrapped by
``mpanel.web.forms.form_rule`` / ``schema_rule``); empty values pass, the
column's nullability decides whether they are allowed. Record rules see all
values of a row and raise :class:`FieldError` naming the field at fault.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, inspect, select

from mpanel.core.errors import FieldError
from mpanel.core.plugins.engine import loaded_plugins
from mpanel.modules.customers.validation import check_currency, check_language
from mpanel_catalog.constants import CYCLES, MAX_DOMAIN_YEARS
from mpanel_catalog.i18n import gettext as _
from mpanel_catalog.i18n import lazy_gettext as _l
from mpanel_catalog.models.pricing import OWNERS

MONEY_PLACES = 4
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"


def _empty(value) -> bool:
    return value is None or value == ""


def check_amount(value) -> None:
    """A money amount: not negative, at most four decimal places (never rounded on input)."""
    if _empty(value):
        return
    amount = Decimal(str(value))
    if not amount.is_finite():
        raise ValueError(_("must be a number"))
    if amount < 0:
        raise ValueError(_("must not be negative"))
    if amount.as_tuple().exponent < -MONEY_PLACES:
        raise ValueError(_("at most %(places)s decimal places", places=MONEY_PLACES))


def check_percent(value) -> None:
    check_amount(value)
    if not _empty(value) and Decimal(str(value)) > 100:
        raise ValueError(_("must be between %(low)s and %(high)s", low=0, high=100))


def between(low: int, high: int | None = None) -> Callable:
    def check(value) -> None:
        if _empty(value):
            return
        if int(value) < low or (high is not None and int(value) > high):
            raise ValueError(_("must be at least %(low)s", low=low) if high is None
                             else _("must be between %(low)s and %(high)s", low=low, high=high))

    return check


def matching(pattern: str, what: str, optional: bool = False) -> Callable:
    """A string matching ``pattern``; ``optional``: an empty string passes too (forms send "")."""
    regex = re.compile(pattern)

    def check(value) -> None:
        if value is None or (optional and value == ""):
            return
        if not regex.match(value):
            raise ValueError(_("“%(value)s” is not %(what)s", value=value, what=what))

    return check


check_slug = matching(r"^[a-z0-9][a-z0-9-]*$", _l("a slug (lower-case letters, digits and hyphens)"))
check_identifier = matching(r"^[a-z0-9][a-z0-9_-]*$", _l("an identifier (lower-case letters, digits, _ and -)"), True)
check_code = matching(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", _l("a coupon code (letters, digits, _ and -)"))
check_tld_name = matching(rf"^{_LABEL}(?:\.{_LABEL})*$",
                          _l("a TLD without the leading dot, in lower case (IDN TLDs in their xn-- form)"))


def check_currency_code(value) -> None:
    """An ISO 4217 code as stored: upper case (prices are looked up by it)."""
    if value is not None and check_currency(value) != value:
        raise ValueError(_("write the currency code as %(code)s", code=value.strip().upper()))


def check_optional_currency(value) -> None:
    if value != "":
        check_currency_code(value)


def check_locale(value) -> None:
    if not _empty(value):
        check_language(value)


def check_cycles(value) -> None:
    """Comma-separated billing cycles (empty: all)."""
    unknown = [c.strip() for c in (value or "").split(",") if c.strip() and c.strip() not in CYCLES]
    if unknown:
        raise ValueError(_("unknown billing cycle %(cycle)s; use %(cycles)s", cycle=unknown[0],
                           cycles=", ".join(CYCLES)))


def check_json_object(value) -> None:
    if value is not None and not isinstance(value, dict):
        raise ValueError(_("must be a JSON object"))


def check_registrar(value) -> None:
    if _empty(value):
        return
    plugin = loaded_plugins().get(value)
    if plugin is None or plugin.category != "registrar":
        raise ValueError(_("%(value)s is not an installed registrar plugin", value=value))


@dataclass(frozen=True)
class Rules:
    """How rows of one model are checked: per field, uniqueness, whole record."""

    fields: dict[str, Callable] = field(default_factory=dict)
    unique: tuple[tuple[str, ...], ...] = ()  # keys within the tenant, reported on their last column
    case_insensitive: frozenset[str] = frozenset()
    record: Callable[[Mapping, object], None] | None = None  # (values, row being edited or None)

    def validate(self, session, model, values: Mapping, instance=None) -> None:
        """Raise FieldError for a taken key or a broken record rule."""
        for key in self.unique:
            self._check_unique(session, model, key, values, instance)
        if self.record:
            self.record(values, instance)

    def _check_unique(self, session, model, key, values, instance) -> None:
        clauses = []
        for name in key:
            column, value = _column_value(model, name, values.get(name, getattr(instance, name, None)))
            if value is None:
                clauses.append(column.is_(None))
            elif name in self.case_insensitive:
                clauses.append(func.upper(column) == value.upper())
            else:
                clauses.append(column == value)
        if instance is not None and instance.id is not None:
            clauses.append(model.id != instance.id)
        with session.no_autoflush:
            if session.scalar(select(model.id).where(*clauses).limit(1)) is not None:
                raise FieldError(key[-1], _("already exists") if len(key) == 1
                                 else _("already exists for this %(field)s", field=key[0]))


def _column_value(model, name, value):
    """The column to compare for ``name``: a relationship compares its foreign key."""
    relationship = inspect(model).relationships.get(name)
    if relationship is None:
        return getattr(model, name), value
    (column,) = relationship.local_columns
    return column, None if value is None else value.id


# Record rules ------------------------------------------------------------------------------------

def check_price(values: Mapping, instance) -> None:
    if sum(values.get(name) is not None for name in OWNERS) != 1:
        raise FieldError("product", _("give exactly one of %(fields)s", fields=", ".join(OWNERS)))


def check_product(values: Mapping, instance) -> None:
    if instance is not None and instance in (values.get("upgrades") or []):
        raise FieldError("upgrades", _("a product cannot be upgraded or downgraded to itself"))


def check_option(values: Mapping, instance) -> None:
    low, high = values.get("min_quantity") or 0, values.get("max_quantity")
    if high is not None and high < low:
        raise FieldError("max_quantity", _("must not be below the minimum"))


def check_coupon(values: Mapping, instance) -> None:
    kind = values.get("kind") or "percent"
    if kind == "percent" and Decimal(str(values.get("value") or 0)) > 100:
        raise FieldError("value", _("a percentage must be between 0 and 100"))
    if kind in ("fixed", "override") and not values.get("currency"):
        raise FieldError("currency", _("this coupon needs the currency of its amount"))
    if values.get("duration") == "repeating" and not values.get("duration_cycles"):
        raise FieldError("duration_cycles", _("a repeating coupon needs the number of cycles"))
    starts, expires = values.get("starts_at"), values.get("expires_at")
    if starts and expires and expires <= starts:
        raise FieldError("expires_at", _("must be after the start"))
    if instance is not None and values.get("max_uses") is not None and values["max_uses"] < instance.uses:
        raise FieldError("max_uses", _("the coupon was already used %(count)s times", count=instance.uses))


# Per model ---------------------------------------------------------------------------------------

PRODUCT_GROUP = Rules({"slug": check_slug}, unique=(("slug",),))
PRODUCT = Rules({"stock_quantity": between(0), "trial_days": between(1), "welcome_email": check_identifier,
                 "provisioning_module": check_identifier, "provisioning_settings": check_json_object,
                 "tax_class": check_identifier}, record=check_product)
PRODUCT_TRANSLATION = Rules({"locale": check_locale}, unique=(("product", "locale"),))
PRICE = Rules({"currency": check_currency_code, "price": check_amount, "setup_fee": check_amount},
              unique=((*OWNERS, "currency", "cycle"),), record=check_price)
OPTION_GROUP = Rules()
OPTION = Rules({"min_quantity": between(0), "max_quantity": between(0), "step": between(1)}, record=check_option)
OPTION_CHOICE = Rules()
ADDON = Rules({"tax_class": check_identifier})
BUNDLE = Rules({"slug": check_slug, "tax_class": check_identifier}, unique=(("slug",),))
BUNDLE_ITEM = Rules({"quantity": between(1)})
CUSTOMER_GROUP = Rules({"discount_percent": check_percent})
CUSTOMER_GROUP_MEMBER = Rules(unique=(("customer",),))
COUPON = Rules({"code": check_code, "value": check_amount, "currency": check_optional_currency,
                "duration_cycles": between(1), "cycles": check_cycles, "max_uses": between(1),
                "max_uses_per_customer": between(1)},
               unique=(("code",),), case_insensitive=frozenset({"code"}), record=check_coupon)
TLD = Rules({"name": check_tld_name, "registrar": check_registrar, "grace_days": between(0),
             "redemption_days": between(0)}, unique=(("name",),))
TLD_FEES = Rules({"currency": check_currency_code, "icann_fee": check_amount, "grace_fee": check_amount,
                  "redemption_fee": check_amount, "id_protection": check_amount, "dns_management": check_amount},
                 unique=(("tld", "currency"),))
TLD_PRICE = Rules({"currency": check_currency_code, "years": between(1, MAX_DOMAIN_YEARS), "cost": check_amount,
                   "price": check_amount}, unique=(("tld", "currency", "action", "years"),))
