"""Taxes: which tax applies (rules.py), EU data (eu.py), VAT id checks (vat.py)."""
