"""BankTransferGateway: no provider to call. The customer transfers the money
with the invoice's reference; staff record it (or a statement import does)."""

from __future__ import annotations

from mpanel_billing.gateways.base import (
    MANUAL,
    PARTIAL_REFUNDS,
    REFUNDS,
    SUCCEEDED,
    PaymentGateway,
    ProviderPayment,
)
from mpanel_billing.i18n import language
from mpanel_billing.settings import load as load_billing

from mpanel.core.money import format_money
from mpanel_gateway_bank.reference import creditor_reference, grouped


class BankTransferGateway(PaymentGateway):
    title = "Bank transfer"
    features = frozenset({MANUAL, REFUNDS, PARTIAL_REFUNDS})

    def payment_reference(self, invoice) -> str | None:
        """What the customer writes on the transfer: the RF reference, or the invoice number."""
        number = invoice.number or invoice.proforma_number
        if not number:
            return None
        return creditor_reference(number) if self.settings.get("reference_format", "rf") == "rf" else number

    def instructions(self, invoice) -> dict | None:
        """Bank details and reference for the client area (labels in the invoice's language)."""
        billing = load_billing(self.session)
        bank, seller = billing.bank, billing.seller
        if not bank.get("iban") or invoice.status == "draft":
            return None
        reference = self.payment_reference(invoice)
        with language(invoice.language) as _:
            details = {_("Account holder"): seller.get("name") or "", "IBAN": grouped(bank["iban"].replace(" ", "")),
                       "BIC": bank.get("bic", ""), _("Bank"): bank.get("name", ""),
                       _("Reference"): grouped(reference) if reference.startswith("RF") else reference,
                       _("Amount"): format_money(invoice.amount_due, invoice.currency, invoice.language)}
            if self.settings.get("instructions"):
                details[_("Note")] = self.settings["instructions"]
        return {label: value for label, value in details.items() if value}

    def refund(self, refund, payment) -> ProviderPayment:
        """Staff pay the money back by their own transfer; this records that they did."""
        return ProviderPayment(f"bank-refund-{refund.id}", SUCCEEDED, refund.amount, refund.currency)
