"""Issued invoices and credit notes as the billing engine hands them over.

Plain frozen values with no database behind them: totals.py computes their
EN 16931 totals and ubl.py renders them. Amounts are Decimal (str and int are
accepted and converted; floats are refused by the kernel's ``to_decimal``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from mpanel.core.money import to_decimal, validate_currency

# UNCL 5305 VAT category codes used by EN 16931.
STANDARD = "S"
ZERO_RATED = "Z"
EXEMPT = "E"
REVERSE_CHARGE = "AE"
INTRA_COMMUNITY = "K"
EXPORT = "G"
OUTSIDE_SCOPE = "O"
TAX_CATEGORIES = frozenset(
    {STANDARD, ZERO_RATED, EXEMPT, REVERSE_CHARGE, INTRA_COMMUNITY, EXPORT, OUTSIDE_SCOPE}
)
# BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10: these need an exemption reason.
NEEDS_EXEMPTION_REASON = frozenset(
    {EXEMPT, REVERSE_CHARGE, INTRA_COMMUNITY, EXPORT, OUTSIDE_SCOPE}
)

# VATEX exemption reason codes (BT-121, CEF code list) per category.
VATEX = {EXEMPT: "VATEX-EU-132", REVERSE_CHARGE: "VATEX-EU-AE", INTRA_COMMUNITY: "VATEX-EU-IC",
         EXPORT: "VATEX-EU-G", OUTSIDE_SCOPE: "VATEX-EU-O"}

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"


def _decimals(obj, *names: str) -> None:
    """Convert the named fields of a frozen dataclass to Decimal in place."""
    for name in names:
        object.__setattr__(obj, name, to_decimal(getattr(obj, name)))


def _check_tax(category: str, rate: Decimal) -> None:
    if category not in TAX_CATEGORIES:
        raise ValueError(f"unknown VAT category {category!r}")
    # BR-S-05: standard rate is positive; BR-Z/E/AE/IC/G-05: the others are 0
    # (category O carries no rate at all, which we model as 0).
    if (category == STANDARD and rate <= 0) or (category != STANDARD and rate != 0):
        raise ValueError(f"VAT rate {rate} is not valid for category {category}")


@dataclass(frozen=True, kw_only=True)
class Party:
    name: str
    street: str
    city: str
    postcode: str
    country: str  # ISO 3166-1 alpha-2
    vat_id: str | None = None  # with country prefix, e.g. "DE123456789"
    company_id: str | None = None  # legal registration number
    email: str | None = None


@dataclass(frozen=True, kw_only=True)
class DocumentLine:
    id: str
    description: str
    quantity: Decimal
    # Net price per base_quantity units; may be more precise than the currency.
    unit_price: Decimal
    tax_category: str
    tax_rate: Decimal  # percent, e.g. 19
    unit_code: str = "C62"  # UN/ECE rec. 20; C62 = "one"
    base_quantity: Decimal = Decimal(1)
    allowance: Decimal = Decimal(0)
    allowance_reason: str | None = None
    charge: Decimal = Decimal(0)
    charge_reason: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    # The line amount including VAT when a tax-inclusive price is kept exact
    # (the "keep_gross" rounding policy): the line then adds gross - net to
    # its group's VAT instead of taking part in the group's rounded VAT.
    gross_amount: Decimal | None = None

    def __post_init__(self):
        _decimals(self, "quantity", "unit_price", "tax_rate", "base_quantity", "allowance",
                  "charge")
        _check_tax(self.tax_category, self.tax_rate)
        if self.gross_amount is not None:
            _decimals(self, "gross_amount")
            if self.tax_category != STANDARD:
                raise ValueError("only standard rated lines carry a kept gross amount")
        if self.unit_price < 0:
            raise ValueError("unit price must not be negative (BR-27); negate the quantity")
        if self.allowance < 0 or self.charge < 0:
            raise ValueError("line allowance and charge must not be negative")
        if self.base_quantity <= 0:
            raise ValueError("base quantity must be positive")
        # BR-41..BR-44: every line allowance and charge needs a reason.
        if self.allowance and not self.allowance_reason:
            raise ValueError(f"line {self.id}: allowance needs a reason")
        if self.charge and not self.charge_reason:
            raise ValueError(f"line {self.id}: charge needs a reason")


@dataclass(frozen=True, kw_only=True)
class DocumentAllowanceCharge:
    is_charge: bool
    amount: Decimal  # net, positive
    reason: str
    tax_category: str
    tax_rate: Decimal

    def __post_init__(self):
        _decimals(self, "amount", "tax_rate")
        _check_tax(self.tax_category, self.tax_rate)
        if self.amount < 0:
            raise ValueError("allowance or charge amount must not be negative; see is_charge")
        if not self.reason:
            raise ValueError("document allowances and charges need a reason (BR-33, BR-38)")


@dataclass(frozen=True, kw_only=True)
class PaymentMeans:
    code: str  # UNCL 4461: 30 credit transfer, 58 SEPA credit transfer, 48 card
    iban: str | None = None
    bic: str | None = None
    account_name: str | None = None
    payment_reference: str | None = None


@dataclass(frozen=True, kw_only=True)
class Document:
    kind: str  # INVOICE or CREDIT_NOTE
    number: str
    issue_date: date
    currency: str
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    allowances_charges: tuple[DocumentAllowanceCharge, ...] = ()
    due_date: date | None = None
    # Exemption reason text per VAT category, e.g. {"AE": "Reverse charge ..."}.
    exemption_reasons: Mapping[str, str] = field(default_factory=dict)
    buyer_reference: str | None = None
    preceding_invoice_number: str | None = None
    preceding_invoice_date: date | None = None
    note: str | None = None
    payment_means: PaymentMeans | None = None
    prepaid_amount: Decimal = Decimal(0)
    # BT-117 fixed per (category, rate): a credit note's share of its invoice's VAT
    # (shares.py), within BR-S-09's tolerance of taxable x rate.
    vat_amounts: Mapping[tuple[str, Decimal], Decimal] = field(default_factory=dict)
    tax_currency: str | None = None  # BT-6, when VAT is also stated in another currency
    tax_currency_tax: Decimal | None = None  # BT-111

    def __post_init__(self):
        if self.kind not in (INVOICE, CREDIT_NOTE):
            raise ValueError(f"unknown document kind {self.kind!r}")
        object.__setattr__(self, "currency", validate_currency(self.currency))
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "allowances_charges", tuple(self.allowances_charges))
        reasons = MappingProxyType(dict(self.exemption_reasons))
        object.__setattr__(self, "exemption_reasons", reasons)
        vat = MappingProxyType({(c, to_decimal(r)): to_decimal(a) for (c, r), a in self.vat_amounts.items()})
        object.__setattr__(self, "vat_amounts", vat)
        _decimals(self, "prepaid_amount")
        if not self.lines:
            raise ValueError("a document needs at least one line (BR-16)")
        used = {item.tax_category for item in (*self.lines, *self.allowances_charges)}
        missing = sorted((used & NEEDS_EXEMPTION_REASON) - set(self.exemption_reasons))
        if missing:
            raise ValueError(f"exemption reason missing for VAT categories {missing}")
        if self.preceding_invoice_number is None and self.preceding_invoice_date is not None:
            raise ValueError("preceding invoice date given without its number")
        # UBL 2.1 CreditNote has no DueDate; its due date lives in PaymentMeans.
        if self.kind == CREDIT_NOTE and self.due_date and not self.payment_means:
            raise ValueError("a credit note's due date needs payment means")

