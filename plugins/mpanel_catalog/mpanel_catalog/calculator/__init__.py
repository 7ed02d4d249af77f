"""The price calculator every other plugin uses (see :mod:`.products`, :mod:`.domains`)."""

from mpanel_catalog.calculator.domains import find_tld, quote_domain
from mpanel_catalog.calculator.lines import Line, Quote
from mpanel_catalog.calculator.products import check_orderable, quote_bundle, quote_product

__all__ = ["Line", "Quote", "check_orderable", "find_tld", "quote_bundle", "quote_domain", "quote_product"]
