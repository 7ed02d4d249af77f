"""Seller and buyer snapshots: what an issued document says about its parties."""

from __future__ import annotations

from mpanel.core.errors import Conflict
from mpanel.core.tenancy import require_tenant_id
from mpanel.modules.tenants.models import Tenant

from .documents import Party, PaymentMeans
from .settings import load as load_settings

# What art. 226 of the VAT directive needs of the seller on every invoice: its VAT
# id (226(3), BR-S-02/BR-CO-26) and full name and address (226(5)); per setting.
LEGAL_SELLER_FIELDS = {
    "seller_name": "the seller's legal name",
    "seller_street": "the seller's street address",
    "seller_postcode": "the seller's postcode",
    "seller_city": "the seller's city",
    "seller_vat_id": "the seller's VAT id",
}


def missing_seller_fields(settings, tenant) -> dict[str, str]:
    """The legal seller settings still empty, {setting: what it is} (the name falls back to the tenant's)."""
    values = {**settings.seller, "name": settings.seller.get("name") or tenant.name}
    missing = {key: text for key, text in LEGAL_SELLER_FIELDS.items() if not values.get(key[7:], "").strip()}
    if not tenant.country:
        missing["country"] = "the tenant's country"
    return missing


def seller_data_missing(session) -> dict[str, str]:
    """For the staff dashboard: the legal seller settings the tenant in scope must fill in
    before it can issue an invoice (empty when complete)."""
    return missing_seller_fields(load_settings(session), session.get(Tenant, require_tenant_id()))


def seller_snapshot(settings, tenant) -> dict:
    """The seller as an invoice states it; refused (409, naming the settings) while incomplete."""
    missing = missing_seller_fields(settings, tenant)
    if missing:
        raise Conflict({key: f"set {text} before issuing invoices (art. 226 VAT directive)"
                        for key, text in missing.items()})
    seller = settings.seller
    return {"name": seller.get("name") or tenant.name, "street": seller.get("street", ""),
            "city": seller.get("city", ""), "postcode": seller.get("postcode", ""), "country": tenant.country,
            "vat_id": seller.get("vat_id") or None, "company_id": seller.get("company_id") or None,
            "email": seller.get("email") or None, "bank": {k: v for k, v in settings.bank.items() if v},
            "legal_notes": settings.legal_notes or None}


def buyer_snapshot(customer) -> dict:
    street = ", ".join(part for part in (customer.address1, customer.address2) if part)
    return {"name": customer.display_name, "street": street, "city": customer.city or "",
            "postcode": customer.postcode or "", "region": customer.region or None, "country": customer.country,
            "vat_id": customer.vat_id or None, "email": customer.email, "customer_id": customer.id}


def party(snapshot: dict) -> Party:
    return Party(name=snapshot["name"], street=snapshot["street"], city=snapshot["city"],
                 postcode=snapshot["postcode"], country=snapshot["country"], vat_id=snapshot.get("vat_id"),
                 company_id=snapshot.get("company_id"), email=snapshot.get("email"))


def payment_means(seller: dict, reference: str) -> PaymentMeans | None:
    """SEPA credit transfer (UNCL 4461 code 58) when the seller gave an IBAN."""
    bank = seller.get("bank") or {}
    if not bank.get("iban"):
        return None
    return PaymentMeans(code="58", iban=bank["iban"].replace(" ", ""), bic=bank.get("bic"),
                        account_name=seller["name"], payment_reference=reference)
