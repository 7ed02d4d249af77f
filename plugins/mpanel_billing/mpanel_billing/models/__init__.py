"""The billing tables (all prefixed ``billing_``)."""

from ..services.models import Order, OrderLine, Service, ServiceDunning, ServicePeriod
from .documents import StoredDocument
from .dunning import DunningStep
from .invoice import Invoice, InvoiceLine, InvoiceTax
from .ledger import Account, LedgerEntry, Payment
from .mail import MailTemplate
from .numbering import NumberSeries
from .tax import TaxRule, VatCheck

__all__ = ["Account", "DunningStep", "Invoice", "InvoiceLine", "InvoiceTax", "LedgerEntry", "MailTemplate",
           "NumberSeries", "Order", "OrderLine", "Payment", "Service", "ServiceDunning", "ServicePeriod",
           "StoredDocument", "TaxRule", "VatCheck"]
