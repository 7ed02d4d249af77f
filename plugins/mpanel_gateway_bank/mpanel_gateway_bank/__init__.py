"""MPanel bank transfer gateway: bank details with a structured reference, recorded transfers, CAMT.053 import."""

__version__ = "0.1.0"
