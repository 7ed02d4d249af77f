"""The billing plugin's per-tenant settings, parsed and checked.

Values arrive as JSON from code or as strings from the marketplace form, so
each one is read through a parser that accepts both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from mpanel.core.money import to_decimal
from mpanel.core.settings import Setting, get_settings

NAMESPACE = "billing"
ROUNDING = ("en16931", "keep_gross")
LATE_FEE_TYPES = ("none", "fixed", "percent")
LATE_FEE_TAX = ("outside_scope", "standard")



def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _int(value, minimum=0) -> int:
    number = int(str(value).strip() or 0)
    if number < minimum:
        raise ValueError(f"{value!r} is below {minimum}")
    return number


def _days(value) -> tuple[int, ...]:
    items = value if isinstance(value, (list, tuple)) else str(value).replace(";", ",").split(",")
    return tuple(sorted({_int(item, 1) for item in items if str(item).strip()}))


def _color(value) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}", value or ""):
        raise ValueError(f"{value!r} is not a colour like #1f4e79")
    return value


def _logo(value) -> str:
    if value and not re.fullmatch(r"data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]+", value):
        raise ValueError("the logo must be a data:image/png or data:image/jpeg base64 URI")
    return value or ""


def _rates(value) -> dict:
    rates = {}
    for item in str(value or "").replace(";", ",").split(","):
        if item.strip():
            code, _, rate = item.partition("=")
            rates[code.strip().upper()] = to_decimal(rate.strip())
    return rates


DEFAULTS = {
    # Tax rounding: "en16931" rounds line nets and takes VAT per rate from the
    # rate's total (BR-CO-17); "keep_gross" keeps tax-inclusive prices exact.
    "tax_rounding": Setting("en16931", "choice", choices=ROUNDING),
    "eu_oss": False,  # B2C in other EU states at the customer's country rate
    "vies_check": False,  # check VAT ids online (VIES) besides their check digits
    "payment_terms_days": Setting(14, "int", minimum=0, maximum=3650),
    "proforma": False,  # issue proformas; the legal invoice is numbered when paid
    "auto_apply_credit": True,
    "send_invoice_mail": True,
    "reminder_days_before": Setting(3, "int", minimum=0, maximum=365),
    "overdue_days": Setting("1,7,14", check=_days, help="days after the due date, e.g. 1,7,14"),
    "late_fee_type": Setting("none", "choice", choices=LATE_FEE_TYPES),
    "late_fee_amount": Setting(Decimal("0"), "decimal", minimum=0),
    "late_fee_after_days": Setting(14, "int", minimum=1, maximum=3650),
    # Most member states (Germany among them) treat a dunning fee as damages, outside the
    # scope of VAT (category O); "standard" charges the standard rate on it.
    "late_fee_tax": Setting("outside_scope", "choice", choices=LATE_FEE_TAX),
    # Rates to the national currency for invoices that record none (orders, renewals), art. 230:
    # 1 unit of the invoice's currency in the national one.
    "tax_exchange_rates": Setting("", check=_rates, help="e.g. USD=0.9234, CHF=1.0712"),
    "seller_name": "",
    "seller_street": "",
    "seller_city": "",
    "seller_postcode": "",
    "seller_vat_id": "",
    "seller_company_id": "",
    "seller_email": "",
    "bank_name": "",
    "bank_iban": "",
    "bank_bic": "",
    "legal_notes": Setting("", "textarea"),
    # A data: URI (PNG or JPEG), the only image a template may show besides inline ones.
    "logo": Setting("", "textarea", check=_logo),
    "accent_color": Setting("#1f4e79", check=_color),
    "pdf_template": Setting("", "textarea"),  # a custom sandboxed Jinja template; empty: the built-in one
}


def _choice(value, choices) -> str:
    if value not in choices:
        raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
    return value


@dataclass(frozen=True)
class BillingSettings:
    tax_rounding: str
    eu_oss: bool
    vies_check: bool
    payment_terms_days: int
    proforma: bool
    auto_apply_credit: bool
    send_invoice_mail: bool
    reminder_days_before: int
    overdue_days: tuple[int, ...]
    late_fee_type: str
    late_fee_amount: Decimal
    late_fee_after_days: int
    late_fee_tax: str
    tax_exchange_rates: dict
    seller: dict
    bank: dict
    legal_notes: str
    logo: str
    accent_color: str
    pdf_template: str


def parse(values: dict) -> BillingSettings:
    """Typed settings, or ValueError naming the setting at fault."""

    def get(name, parser=str, *args):
        try:
            return parser(values[name], *args)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise ValueError(f"billing setting {name}: {exc}") from None

    return BillingSettings(
        tax_rounding=get("tax_rounding", _choice, ROUNDING),
        eu_oss=get("eu_oss", _bool),
        vies_check=get("vies_check", _bool),
        payment_terms_days=get("payment_terms_days", _int),
        proforma=get("proforma", _bool),
        auto_apply_credit=get("auto_apply_credit", _bool),
        send_invoice_mail=get("send_invoice_mail", _bool),
        reminder_days_before=get("reminder_days_before", _int),
        overdue_days=get("overdue_days", _days),
        late_fee_type=get("late_fee_type", _choice, LATE_FEE_TYPES),
        late_fee_amount=get("late_fee_amount", lambda v: to_decimal(str(v) or "0")),
        late_fee_after_days=get("late_fee_after_days", _int, 1),
        late_fee_tax=get("late_fee_tax", _choice, LATE_FEE_TAX),
        tax_exchange_rates=get("tax_exchange_rates", _rates),
        seller={key[7:]: str(values[key] or "") for key in values if key.startswith("seller_")},
        bank={key[5:]: str(values[key] or "") for key in values if key.startswith("bank_")},
        legal_notes=get("legal_notes"),
        logo=get("logo", _logo),
        accent_color=get("accent_color", _color),
        pdf_template=get("pdf_template"),
    )


def load(session) -> BillingSettings:
    """The settings of the tenant in scope."""
    return parse(get_settings(session, NAMESPACE, DEFAULTS))
