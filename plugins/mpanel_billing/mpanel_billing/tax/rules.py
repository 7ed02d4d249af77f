"""Which tax a line gets: the tenant's rules plus EU VAT logic.

``decide`` is pure: it takes the active rules, the seller's country, what is
known about the buyer and the line's tax class. In order:

1. a tax-exempt customer: exempt (E);
2. a seller in the EU selling to a business in another member state with a
   valid VAT id of that state: reverse charge (AE) with the legal note;
3. EU B2C in another member state: the customer's country rule if the tenant
   opted in to OSS, else the seller's country rule;
4. otherwise the most specific matching rule (region, then country, then a
   rule for every country); with none, an EU seller's sale outside the EU
   is outside the scope of EU VAT (O: services are supplied where the buyer
   is, art. 44 and 58), as is anything else.

A second-level tax (level 2) is added on top of a taxable level-1 result.
Prices are tax-inclusive when the rule that priced them says so; where no
rule applies (reverse charge, export, exempt) the seller's own standard rule
decides whether the price contained tax, and that tax is taken out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..documents import EXEMPT, EXPORT, OUTSIDE_SCOPE, REVERSE_CHARGE, STANDARD, ZERO_RATED
from .eu import MEMBER_STATES

# Exemption reasons (BT-120) citing the directive (art. 226(11)); the VATEX codes are documents.VATEX.
NOTES = {
    REVERSE_CHARGE: "Reverse charge: VAT to be accounted for by the recipient "
                    "(Art. 196 Council Directive 2006/112/EC)",
    EXEMPT: "Exempt based on article 132 of the Council Directive 2006/112/EC",
    EXPORT: "Export outside the EU (Art. 146 Council Directive 2006/112/EC)",
    OUTSIDE_SCOPE: "Not subject to VAT",
    ZERO_RATED: "Zero rated",
}
# Services to a buyer outside the EU are supplied where the buyer is (art. 44, 58): outside the scope of EU VAT.
# A late payment fee is damages, no consideration for a supply (ECJ C-277/05): outside the scope of VAT.
NO_SUPPLY = "Not subject to VAT: compensation for late payment, no consideration for a supply"
OUTSIDE_EU = "Not subject to VAT: services supplied outside the EU (Art. 44 and 58 Council Directive 2006/112/EC)"
_CATEGORY = {"standard": STANDARD, "reduced": STANDARD, "zero": ZERO_RATED, "exempt": EXEMPT,
             "reverse_charge": REVERSE_CHARGE}
ZERO = Decimal(0)


@dataclass(frozen=True)
class Buyer:
    country: str
    region: str | None = None
    vat_id_valid: bool = False  # a VAT id of ``country`` that passed the checks
    tax_exempt: bool = False


@dataclass(frozen=True)
class Rule:
    """What ``decide`` needs of a TaxRule (the model has these attributes)."""

    name: str
    country: str | None
    region: str | None
    category: str
    rate: Decimal
    level: int = 1
    compound: bool = False
    prices_include_tax: bool = False


@dataclass(frozen=True)
class TaxDecision:
    category: str  # UNCL 5305
    rate: Decimal
    name: str
    price_tax_rate: Decimal | None  # the rate a price includes; None: prices are net
    note: str | None = None  # exemption reason (BT-120) or legal note
    tax2_name: str | None = None
    tax2_rate: Decimal | None = None
    tax2_compound: bool = False


def _specificity(rule, country: str, region: str | None) -> int | None:
    if rule.country and rule.country != country:
        return None
    if rule.region and (not region or rule.region.casefold() != region.casefold()):
        return None
    return (2 if rule.region else 0) + (1 if rule.country else 0)


def match(rules, country: str, region: str | None, categories, level: int = 1):
    """The most specific rule for the place among ``categories`` (tried in order)."""
    for category in categories:
        ranked = [(s, r) for r in rules if r.level == level and r.category == category
                  and (s := _specificity(r, country, region)) is not None]
        if ranked:
            return max(ranked, key=lambda item: item[0])[1]
    return None


def _classes(tax_class: str) -> tuple[str, ...]:
    return ("reduced", "standard") if tax_class == "reduced" else (tax_class,)


def _home_price_rate(rules, seller_country: str) -> Decimal | None:
    home = match(rules, seller_country, None, ("standard",))
    return home.rate if home is not None and home.prices_include_tax else None


def _no_rule(category: str, rules, seller_country: str) -> TaxDecision:
    return TaxDecision(category, ZERO, NOTES[category], _home_price_rate(rules, seller_country), NOTES[category])


def decide(rules, seller_country: str, buyer: Buyer, tax_class: str = "standard", oss: bool = False) -> TaxDecision:
    rules = [rule for rule in rules if getattr(rule, "active", True)]
    eu_seller = seller_country in MEMBER_STATES
    if tax_class == "outside_scope":
        return TaxDecision(OUTSIDE_SCOPE, ZERO, NO_SUPPLY, None, NO_SUPPLY)
    if buyer.tax_exempt or tax_class == "exempt":
        return _no_rule(EXEMPT, rules, seller_country)
    if eu_seller and buyer.country in MEMBER_STATES and buyer.country != seller_country:
        if buyer.vat_id_valid:
            return _no_rule(REVERSE_CHARGE, rules, seller_country)
        country, region = (buyer.country, buyer.region) if oss else (seller_country, None)
    else:
        country, region = buyer.country, buyer.region
    rule = match(rules, country, region, _classes(tax_class))
    if rule is None:
        if tax_class == "zero":
            return _no_rule(ZERO_RATED, rules, seller_country)
        if eu_seller and buyer.country not in MEMBER_STATES:
            return TaxDecision(OUTSIDE_SCOPE, ZERO, OUTSIDE_EU, _home_price_rate(rules, seller_country), OUTSIDE_EU)
        return _no_rule(OUTSIDE_SCOPE, rules, seller_country)
    category = _CATEGORY[rule.category]
    if category == STANDARD and rule.rate == 0:
        category = ZERO_RATED
    rate = rule.rate if category == STANDARD else ZERO
    price_rate = rule.rate if rule.prices_include_tax else None
    if category != STANDARD:
        return TaxDecision(category, ZERO, rule.name, price_rate or _home_price_rate(rules, seller_country),
                           NOTES.get(category) if category != ZERO_RATED else None)
    second = match(rules, country, region, _classes(tax_class), level=2)
    return TaxDecision(STANDARD, rate, rule.name, price_rate, None,
                       second.name if second else None, second.rate if second else None,
                       bool(second and second.compound))
