"""Stripe's magic test PaymentMethods (``pm_card_*``) and what happens when they are used."""

from __future__ import annotations

import time
from dataclasses import dataclass

# Behaviours
SUCCEED = "succeed"
AUTHENTICATE = "authenticate"  # 3-D Secure on every payment and setup
AUTHENTICATE_SETUP = "authenticate_setup"  # 3-D Secure on setup; later off-session payments pass
DECLINE = "decline"  # declined when attached, set up or charged
DECLINE_CHARGE = "decline_charge"  # attaches and sets up fine, charges are declined

# Outcomes of a confirmation
SUCCEEDED = "succeeded"
REQUIRES_ACTION = "requires_action"

DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "authentication_required": "Your card was declined. This transaction requires authentication.",
}


@dataclass(frozen=True)
class MagicCard:
    brand: str
    last4: str
    behaviour: str
    decline_code: str = "generic_decline"

    def details(self) -> dict:
        """The ``card`` hash of a PaymentMethod made from this card."""
        return {
            "brand": self.brand,
            "country": "US",
            "exp_month": 12,
            "exp_year": time.gmtime().tm_year + 3,
            "fingerprint": f"fp{self.brand}{self.last4}",
            "funding": "credit",
            "last4": self.last4,
            "networks": {"available": [self.brand], "preferred": None},
        }

    def outcome(self, *, setup: bool, off_session: bool) -> str | tuple[str, str]:
        """SUCCEEDED, REQUIRES_ACTION or an error ``(code, decline_code)``."""
        declined = ("card_declined", self.decline_code)
        needs_auth = self.behaviour == AUTHENTICATE or (
            self.behaviour == AUTHENTICATE_SETUP and (setup or not off_session)
        )
        if self.behaviour == DECLINE or (self.behaviour == DECLINE_CHARGE and not setup):
            return declined
        if needs_auth and off_session:
            return ("authentication_required", "authentication_required")
        return REQUIRES_ACTION if needs_auth else SUCCEEDED


MAGIC_CARDS = {
    "pm_card_visa": MagicCard("visa", "4242", SUCCEED),
    "pm_card_mastercard": MagicCard("mastercard", "4444", SUCCEED),
    "pm_card_threeDSecure2Required": MagicCard("visa", "3220", AUTHENTICATE),
    "pm_card_authenticationRequired": MagicCard("visa", "3184", AUTHENTICATE),
    "pm_card_authenticationRequiredOnSetup": MagicCard("visa", "3155", AUTHENTICATE_SETUP),
    "pm_card_chargeDeclined": MagicCard("visa", "0002", DECLINE),
    "pm_card_chargeDeclinedInsufficientFunds": MagicCard("visa", "9995", DECLINE, "insufficient_funds"),
    "pm_card_chargeCustomerFail": MagicCard("visa", "0341", DECLINE_CHARGE),
}
