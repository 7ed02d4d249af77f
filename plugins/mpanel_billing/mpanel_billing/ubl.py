"""Render a Document as a UBL 2.1 Invoice or CreditNote (EN 16931 core).

Children are appended in the sequence the UBL 2.1 schema prescribes, as in the
official CEN/TC 434 examples; only EN 16931 elements are emitted. Amounts come
from totals.compute_totals, so the XML and the computed totals cannot differ.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from mpanel.core.money import exponent, quantize

from .documents import (
    CREDIT_NOTE,
    INTRA_COMMUNITY,
    INVOICE,
    NEEDS_EXEMPTION_REASON,
    OUTSIDE_SCOPE,
    VATEX,
    Document,
    DocumentLine,
    Party,
)
from .totals import Totals, compute_totals

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ROOTS = {
    INVOICE: ("Invoice", "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"),
    CREDIT_NOTE: ("CreditNote", "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"),
}


def _cac(parent, name: str):
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _cbc(parent, name: str, text: str, **attrs: str):
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", attrs)
    element.text = text
    return element


def _number(value: Decimal) -> str:
    """Quantities and percentages: plain notation without trailing zeros."""
    return format(value.normalize(), "f")


class _Writer:
    def __init__(self, document: Document, totals: Totals):
        self.document = document
        self.totals = totals
        self.currency = document.currency

    def amount(self, parent, name: str, value: Decimal):
        _cbc(parent, name, format(quantize(value, self.currency), "f"), currencyID=self.currency)

    def price(self, parent, value: Decimal):
        # BT-146 may be more precise than the currency (e.g. 0.00880 EUR per kWh):
        # pad to the currency exponent, never round it away.
        if -value.as_tuple().exponent <= exponent(self.currency):
            value = quantize(value, self.currency)
        _cbc(parent, "PriceAmount", format(value, "f"), currencyID=self.currency)

    def tax_category(self, parent, name: str, category: str, rate: Decimal, reason: bool = False):
        element = _cac(parent, name)
        _cbc(element, "ID", category)
        if category != OUTSIDE_SCOPE:  # BR-O-05/06/07: "not subject to VAT" has no rate
            _cbc(element, "Percent", _number(rate))
        if reason and category in NEEDS_EXEMPTION_REASON:
            _cbc(element, "TaxExemptionReasonCode", VATEX[category])
            _cbc(element, "TaxExemptionReason", self.document.exemption_reasons[category])
        _cbc(_cac(element, "TaxScheme"), "ID", "VAT")

    def party(self, parent, name: str, party: Party):
        element = _cac(_cac(parent, name), "Party")
        address = _cac(element, "PostalAddress")
        for name, value in (("StreetName", party.street), ("CityName", party.city),
                            ("PostalZone", party.postcode)):
            if value:  # optional in EN 16931 (BT-35, BT-37, BT-38); no empty elements
                _cbc(address, name, value)
        _cbc(_cac(address, "Country"), "IdentificationCode", party.country)
        # BR-O-02: an invoice "not subject to VAT" carries no VAT identifiers (the PDF still shows them).
        outside = any(group.category == OUTSIDE_SCOPE for group in self.totals.breakdown)
        if party.vat_id and not outside:
            scheme = _cac(element, "PartyTaxScheme")
            _cbc(scheme, "CompanyID", party.vat_id)
            _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")
        legal = _cac(element, "PartyLegalEntity")
        _cbc(legal, "RegistrationName", party.name)
        if party.company_id:
            _cbc(legal, "CompanyID", party.company_id)
        if party.email:
            _cbc(_cac(element, "Contact"), "ElectronicMail", party.email)

    @staticmethod
    def period(parent, start, end):
        if start or end:
            element = _cac(parent, "InvoicePeriod")
            if start:
                _cbc(element, "StartDate", start.isoformat())
            if end:
                _cbc(element, "EndDate", end.isoformat())

    def header(self, root):
        doc = self.document
        credit = doc.kind == CREDIT_NOTE
        _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
        _cbc(root, "ID", doc.number)
        _cbc(root, "IssueDate", doc.issue_date.isoformat())
        if doc.due_date and not credit:  # a CreditNote has it in PaymentMeans
            _cbc(root, "DueDate", doc.due_date.isoformat())
        if credit:
            _cbc(root, "CreditNoteTypeCode", "381")
        else:
            _cbc(root, "InvoiceTypeCode", "380")
        if doc.note:
            _cbc(root, "Note", doc.note)
        _cbc(root, "DocumentCurrencyCode", self.currency)
        if doc.tax_currency:
            _cbc(root, "TaxCurrencyCode", doc.tax_currency)
        if doc.buyer_reference:
            _cbc(root, "BuyerReference", doc.buyer_reference)
        # The document's invoicing period (BG-14) spans the lines' periods.
        starts = [line.period_start for line in doc.lines if line.period_start]
        ends = [line.period_end for line in doc.lines if line.period_end]
        self.period(root, min(starts, default=None), max(ends, default=None))
        if doc.preceding_invoice_number:
            reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
            _cbc(reference, "ID", doc.preceding_invoice_number)
            if doc.preceding_invoice_date:
                _cbc(reference, "IssueDate", doc.preceding_invoice_date.isoformat())
        self.party(root, "AccountingSupplierParty", doc.seller)
        self.party(root, "AccountingCustomerParty", doc.buyer)
        if any(group.category == INTRA_COMMUNITY for group in self.totals.breakdown):
            # BR-IC-12 needs a deliver-to country: the buyer's, where the goods go.
            address = _cac(_cac(_cac(root, "Delivery"), "DeliveryLocation"), "Address")
            _cbc(_cac(address, "Country"), "IdentificationCode", doc.buyer.country)

    def payment_means(self, root):
        doc, means = self.document, self.document.payment_means
        element = _cac(root, "PaymentMeans")
        _cbc(element, "PaymentMeansCode", means.code)
        if doc.kind == CREDIT_NOTE and doc.due_date:
            _cbc(element, "PaymentDueDate", doc.due_date.isoformat())
        if means.payment_reference:
            _cbc(element, "PaymentID", means.payment_reference)
        if means.iban:
            account = _cac(element, "PayeeFinancialAccount")
            _cbc(account, "ID", means.iban)
            if means.account_name:
                _cbc(account, "Name", means.account_name)
            if means.bic:
                _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", means.bic)

    def allowance_charge(self, parent, is_charge: bool, reason: str, amount: Decimal):
        element = _cac(parent, "AllowanceCharge")
        _cbc(element, "ChargeIndicator", "true" if is_charge else "false")
        _cbc(element, "AllowanceChargeReason", reason)
        self.amount(element, "Amount", amount)
        return element

    def monetary_totals(self, root):
        totals = self.totals
        element = _cac(root, "LegalMonetaryTotal")
        self.amount(element, "LineExtensionAmount", totals.line_total)
        self.amount(element, "TaxExclusiveAmount", totals.tax_exclusive)
        self.amount(element, "TaxInclusiveAmount", totals.tax_inclusive)
        items = self.document.allowances_charges
        if any(not item.is_charge for item in items):
            self.amount(element, "AllowanceTotalAmount", totals.allowance_total)
        if any(item.is_charge for item in items):
            self.amount(element, "ChargeTotalAmount", totals.charge_total)
        if totals.prepaid:
            self.amount(element, "PrepaidAmount", totals.prepaid)
        self.amount(element, "PayableAmount", totals.payable)

    def line(self, root, line: DocumentLine, net: Decimal):
        credit = self.document.kind == CREDIT_NOTE
        element = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        _cbc(element, "ID", line.id)
        _cbc(element, "CreditedQuantity" if credit else "InvoicedQuantity",
             _number(line.quantity), unitCode=line.unit_code)
        self.amount(element, "LineExtensionAmount", net)
        self.period(element, line.period_start, line.period_end)
        if line.allowance:
            self.allowance_charge(element, False, line.allowance_reason, line.allowance)
        if line.charge:
            self.allowance_charge(element, True, line.charge_reason, line.charge)
        item = _cac(element, "Item")
        _cbc(item, "Name", line.description)
        self.tax_category(item, "ClassifiedTaxCategory", line.tax_category, line.tax_rate)
        price = _cac(element, "Price")
        self.price(price, line.unit_price)
        if line.base_quantity != 1:
            _cbc(price, "BaseQuantity", _number(line.base_quantity), unitCode=line.unit_code)

    def render(self) -> etree._Element:
        doc, totals = self.document, self.totals
        name, namespace = ROOTS[doc.kind]
        nsmap = {None: namespace, "cac": CAC, "cbc": CBC}
        root = etree.Element(f"{{{namespace}}}{name}", nsmap=nsmap)
        self.header(root)
        if doc.payment_means:
            self.payment_means(root)
        for item in doc.allowances_charges:
            element = self.allowance_charge(root, item.is_charge, item.reason, item.amount)
            self.tax_category(element, "TaxCategory", item.tax_category, item.tax_rate)
        tax_total = _cac(root, "TaxTotal")
        self.amount(tax_total, "TaxAmount", totals.tax_total)
        for group in totals.breakdown:
            subtotal = _cac(tax_total, "TaxSubtotal")
            self.amount(subtotal, "TaxableAmount", group.taxable)
            self.amount(subtotal, "TaxAmount", group.tax)
            self.tax_category(subtotal, "TaxCategory", group.category, group.rate, reason=True)
        if doc.tax_currency:  # BT-111: the VAT total only, in the tax currency (BR-53)
            _cbc(_cac(root, "TaxTotal"), "TaxAmount", format(quantize(doc.tax_currency_tax, doc.tax_currency), "f"),
                 currencyID=doc.tax_currency)
        self.monetary_totals(root)
        for line, net in zip(doc.lines, totals.line_nets, strict=True):
            self.line(root, line, net)
        return root


def render_ubl(document: Document) -> bytes:
    """UBL 2.1 XML (UTF-8, with declaration) for an invoice or credit note."""
    if exponent(document.currency) > 2:
        # BR-DEC-*: EN 16931 amounts have at most 2 decimals, and rounding a
        # KWD/BHD/... amount to fewer than its exponent is not ours to decide.
        raise ValueError(f"EN 16931 allows 2 decimals, {document.currency} needs more")
    root = _Writer(document, compute_totals(document)).render()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
