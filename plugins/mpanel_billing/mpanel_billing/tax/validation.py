"""Checks on tax rules shared by the admin form and the REST schema."""

from mpanel.core.errors import FieldError

FIELDS = ["name", "country", "region", "category", "rate", "level", "compound", "prices_include_tax", "active"]


def check_rule(level, compound, category, rate) -> None:
    """Rules across fields; FieldError names the field."""
    if compound and level != 2:
        raise FieldError("compound", "only a second-level tax can be compound")
    if category in ("standard", "reduced") and rate is not None and rate <= 0 and level == 1:
        raise FieldError("rate", "a standard or reduced rate must be above 0 (use category zero)")
