"""What the calculator returns, and the one place where it rounds.

Every line's amount is rounded once, to the currency's exponent, by
:func:`mpanel.core.money.quantize` in :class:`LineBuilder`; the total is the
exact sum of the rounded lines. A discount line names the line it reduces
(``target``) and never takes more than what is left of it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal

from mpanel.core.money import quantize


@dataclass(frozen=True)
class Line:
    kind: str  # price, setup, option, option_setup, addon, addon_setup, bundle, bundle_setup, domain,
    #            icann_fee, id_protection, dns_management, grace_fee, redemption_fee, group_discount, coupon
    description: str  # what is charged
    amount: Decimal  # rounded to the currency; negative for discounts
    reason: str  # how the amount came about
    recurring: bool  # charged again on the next renewal
    tax_class: str | None = None
    target: int | None = None  # discounts: index of the line they reduce
    coupon: str | None = None

    @property
    def is_discount(self) -> bool:
        return self.target is not None


@dataclass(frozen=True)
class Quote:
    currency: str
    lines: tuple[Line, ...]
    prices_include_tax: bool  # amounts are gross if True, net otherwise; billing computes the tax
    tax_exempt: bool
    cycle: str | None = None
    quantity: int = 1
    trial_days: int | None = None
    coupons: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)  # e.g. the products of a bundle

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), quantize(0, self.currency))

    def to_dict(self) -> dict:
        """JSON-ready: money as strings, never floats."""
        data = asdict(self)
        data["lines"] = [{**asdict(line), "amount": str(line.amount)} for line in self.lines]
        data["total"] = str(self.total)
        return data


class LineBuilder:
    """Collects the lines of one quote in one currency."""

    def __init__(self, currency: str):
        self.currency = currency
        self.lines: list[Line] = []

    def charge(self, kind: str, description: str, unit: Decimal, units, reason: str, recurring: bool,
               tax_class: str | None = None) -> int:
        amount = quantize(unit * units, self.currency)
        self.lines.append(Line(kind, description, amount, reason, recurring, tax_class))
        return len(self.lines) - 1

    def remaining(self, index: int) -> Decimal:
        """What is left of a charge line after the discounts already on it."""
        return self.lines[index].amount + sum(line.amount for line in self.lines if line.target == index)

    def discount(self, index: int, wanted: Decimal, kind: str, description: str, reason: str, recurring: bool,
                 coupon: str | None = None) -> Decimal:
        """Take ``wanted`` off line ``index`` (at most what is left); returns the amount taken."""
        amount = min(quantize(wanted, self.currency), self.remaining(index))
        if amount <= 0:
            return Decimal(0)
        target = self.lines[index]
        self.lines.append(Line(kind, description, -amount, reason, recurring and target.recurring,
                               target.tax_class, index, coupon))
        return amount

    def charges(self) -> list[int]:
        return [i for i, line in enumerate(self.lines) if not line.is_discount]
