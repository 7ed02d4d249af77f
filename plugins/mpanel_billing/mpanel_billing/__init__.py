"""MPanel billing plugin: invoices, credit notes, taxes, ledger, dunning, PDF and UBL."""

__version__ = "0.1.0"
