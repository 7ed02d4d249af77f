"""The billing tables (all prefixed ``billing_``)."""

from .documents import StoredDocument
from .dunning import DunningStep
from .invoice import Invoice, InvoiceLine, InvoiceTax
from .ledger import Account, LedgerEntry, Payment
from .numbering import NumberSeries
from .tax import TaxRule

__all__ = ["Account", "DunningStep", "Invoice", "InvoiceLine", "InvoiceTax", "LedgerEntry", "NumberSeries",
           "Payment", "StoredDocument", "TaxRule"]
