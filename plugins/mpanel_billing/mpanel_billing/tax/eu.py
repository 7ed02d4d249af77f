"""EU member states and their standard VAT rates, seeded as editable tax rules."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ..models.tax import TaxRule

# Standard rates in percent (European Commission, "VAT rates applied in the
# Member States", 2025 edition, with the 2025 changes in EE, RO and SK).
STANDARD_RATES = {
    "AT": "20", "BE": "21", "BG": "20", "CY": "19", "CZ": "21", "DE": "19", "DK": "25", "EE": "24",
    "ES": "21", "FI": "25.5", "FR": "20", "GR": "24", "HR": "25", "HU": "27", "IE": "23", "IT": "22",
    "LT": "21", "LU": "17", "LV": "21", "MT": "18", "NL": "21", "PL": "23", "PT": "23", "RO": "21",
    "SE": "25", "SI": "22", "SK": "23",
}
MEMBER_STATES = frozenset(STANDARD_RATES)


def seed_standard_rates(session) -> int:
    """Add a standard-rate rule for each member state the tenant in scope has none for."""
    have = set(session.scalars(select(TaxRule.country).where(
        TaxRule.level == 1, TaxRule.category == "standard", TaxRule.region.is_(None))))
    added = 0
    for country, rate in sorted(STANDARD_RATES.items()):
        if country not in have:
            session.add(TaxRule(name=f"VAT {country}", country=country, category="standard", rate=Decimal(rate),
                                level=1, compound=False, prices_include_tax=False, active=True))
            added += 1
    return added
