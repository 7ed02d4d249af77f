"""Seller and buyer snapshots: what an issued document says about its parties."""

from __future__ import annotations

from .documents import Party, PaymentMeans


def seller_snapshot(settings, tenant) -> dict:
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
