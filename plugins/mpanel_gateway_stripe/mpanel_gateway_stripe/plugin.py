"""The Stripe gateway plugin: each tenant connects its own Stripe account.

Webhook endpoint to configure in the tenant's Stripe dashboard:
``https://<tenant host>/webhooks/stripe/<tenant slug>/<webhook_token>`` with the
events payment_intent.*, charge.refunded, charge.dispute.*, setup_intent.succeeded
and payment_method.detached; its signing secret goes into ``*_webhook_secret``.
"""

from mpanel.core.plugins.base import Plugin
from mpanel_gateway_stripe import __version__

NAME = "gateway_stripe"


class StripeGatewayPlugin(Plugin):
    version = __version__
    title = "Stripe"
    description = ("Card payments with 3-D Secure through Stripe's Payment Element, saved cards charged "
                   "automatically for renewals, refunds, disputes and signed webhooks; per-tenant keys.")
    category = "gateway"
    requires = ("billing",)
    tenant_settings = {
        "test_mode": True,
        "test_secret_key": "",
        "test_publishable_key": "",
        "test_webhook_secret": "",
        "live_secret_key": "",
        "live_publishable_key": "",
        "live_webhook_secret": "",
        "account_id": "",  # acct_...: events naming another account are refused
        "webhook_token": "",  # the random last part of the webhook URL, set on activation
        "retry_days": "1,3,5",  # off-session retries after a decline
        "statement_descriptor": "",
    }
    secret_settings = frozenset({"test_secret_key", "test_webhook_secret", "live_secret_key", "live_webhook_secret"})

    @property
    def gateway_class(self):
        from mpanel_gateway_stripe.gateway import StripeGateway

        return StripeGateway

    def init(self, app):
        from mpanel_billing.gateways import events, tasks  # noqa: F401  (outbox handler, periodic sweep)

        from mpanel_gateway_stripe import models, receivers  # noqa: F401

    def blueprints(self):
        from mpanel_gateway_stripe.webhooks import blueprint

        return [blueprint]
