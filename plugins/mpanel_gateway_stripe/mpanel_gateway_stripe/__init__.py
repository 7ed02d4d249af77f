"""MPanel Stripe gateway: PaymentIntents with 3-D Secure, saved cards, off-session charges, refunds, disputes."""

__version__ = "0.1.0"
