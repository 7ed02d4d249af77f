"""Per-account Stripe objects and the API operations the test server implements.

Every handler takes ``(account, path_ids, params)`` with params already checked
and typed by ``spec.convert``; it returns the response object or raises
``StripeError``. Handlers run under ``Store.lock``.
"""

from __future__ import annotations

import copy
import threading
import time

from . import cards, spec
from .errors import StripeError, Unsupported, invalid, no_such, unexpected_state
from .objects import account_id, new_id, new_object
from .webhooks import build_event

PREFIXES = {
    "customer": "cus",
    "payment_intent": "pi",
    "setup_intent": "seti",
    "payment_method": "pm",
    "charge": "ch",
    "refund": "re",
    "dispute": "dp",
    "balance_transaction": "txn",
}
# How "No such <name>: 'id'" errors name each object type.
NAMES = {"payment_method": "PaymentMethod", "setup_intent": "setupintent"}
CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = (*CONFIRMABLE, "requires_capture", "processing")
CARD_FEE = (0.029, 30)  # Stripe's standard card pricing: 2.9% + 30 minor units
AUTH_FAILED = (
    "The provided PaymentMethod has failed authentication. You can provide payment_method_data "
    "or a new PaymentMethod to attempt to fulfill this PaymentIntent again."
)


class Store:
    """All accounts of one test server, one per API key."""

    def __init__(self):
        self.base_url = ""
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = {}
        self.events: list[dict] = []  # every account's events, oldest first

    def account(self, api_key: str) -> Account:
        with self.lock:
            if api_key not in self.accounts:
                self.accounts[api_key] = Account(api_key, self)
            return self.accounts[api_key]

    def owner(self, object_id: str) -> Account:
        for account in self.accounts.values():
            if object_id in account.objects:
                return account
        raise KeyError(f"no account has {object_id}")


class Account:
    """One Stripe account: its objects by id, magic-card behaviour and idempotency keys."""

    def __init__(self, api_key: str, store: Store):
        self.id = account_id(api_key)
        self.objects: dict[str, dict] = {}
        self.cards: dict[str, cards.MagicCard] = {}  # PaymentMethod id -> test card
        self.idempotency: dict[str, tuple] = {}  # key -> (fingerprint, status, body)
        self._store = store
        self._request: dict | None = None

    @property
    def events(self) -> list[dict]:
        return [o for o in self.objects.values() if o["object"] == "event"]

    def call(self, operation_id: str, ids: dict, params: dict, request: dict) -> dict:
        handler = OPERATIONS.get(operation_id)
        if handler is None:
            raise Unsupported(f"the {operation_id} operation")
        self._request = request  # quoted in the events this request causes
        try:
            return handler(self, ids, params)
        finally:
            self._request = None

    def get(self, kind: str, object_id: str, param: str, status: int = 400) -> dict:
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise no_such(NAMES.get(kind, kind), object_id, param, status)
        return obj

    def expand(self, obj: dict, paths: list[str]) -> dict:
        """A copy of ``obj`` with the ``expand[]`` paths (e.g. ``latest_charge.customer``) expanded."""
        obj = copy.deepcopy(obj)
        for path in paths:
            self._expand(obj, path.split("."), path)
        return obj

    def emit(self, type: str, obj: dict) -> dict:
        event = build_event(type, obj, self.id, self._request)
        self.objects[event["id"]] = event
        self._store.events.append(event)
        return event

    # --- test helpers (the server calls these under the lock) ---

    def authenticate(self, intent_id: str, succeed: bool = True) -> dict:
        """The customer finishes (or fails) 3-D Secure on a requires_action intent."""
        intent = self.objects[intent_id]
        if intent["status"] != "requires_action":
            raise ValueError(f"{intent_id} has status {intent['status']}, not requires_action")
        payment = intent["object"] == "payment_intent"
        if succeed:
            (self._pay if payment else self._set_up)(intent)
            return intent
        pm = copy.deepcopy(self.objects[intent["payment_method"]])
        error = StripeError(400, AUTH_FAILED, code=f"{intent['object']}_authentication_failure", payment_method=pm)
        field = "last_payment_error" if payment else "last_setup_error"
        intent.update({"status": "requires_payment_method", "next_action": None, field: error.error})
        self.emit("payment_intent.payment_failed" if payment else "setup_intent.setup_failed", intent)
        return intent

    def dispute(self, payment_intent_id: str, amount: int | None, reason: str) -> dict:
        pi = self.objects[payment_intent_id]
        if pi["status"] != "succeeded":
            raise ValueError(f"{payment_intent_id} has status {pi['status']}; only succeeded payments can be disputed")
        charge = self.objects[pi["latest_charge"]]
        due_by = int(time.time()) + 7 * 86400
        dispute = self._new(
            "dispute",
            {},
            amount=charge["amount"] if amount is None else amount,
            charge=charge["id"],
            currency=charge["currency"],
            payment_intent=pi["id"],
            reason=reason,
            status="needs_response",
            is_charge_refundable=False,
        )
        dispute["evidence_details"].update(due_by=due_by, past_due=False, has_evidence=False)
        charge["disputed"] = True
        self.emit("charge.dispute.created", dispute)
        return dispute

    # --- customers ---

    def create_customer(self, ids, p):
        customer = self._new("customer", p, skip={"payment_method"})
        if p.get("payment_method"):
            self._attach(self._payment_method(p["payment_method"], "payment_method"), customer)
        return customer

    def retrieve_customer(self, ids, p):
        return self.get("customer", ids["customer"], "customer", 404)

    def update_customer(self, ids, p):
        customer = self.get("customer", ids["customer"], "customer", 404)
        self._overlay(customer, p)
        return customer

    def list_customers(self, ids, p):
        return self._list("customer", p, "/v1/customers", email=p.get("email"))

    # --- payment methods ---

    def retrieve_payment_method(self, ids, p):
        return self._payment_method(ids["payment_method"], "payment_method", 404)

    def attach_payment_method(self, ids, p):
        pm = self._payment_method(ids["payment_method"], "payment_method", 404)
        customer = self.get("customer", p["customer"], "customer")
        if pm["customer"] not in (None, customer["id"]):
            raise invalid(
                "The payment method you provided has already been attached to a customer.",
                code="payment_method_unexpected_state",
            )
        card = self.cards[pm["id"]]
        if card.behaviour == cards.DECLINE:
            message = cards.DECLINE_MESSAGES[card.decline_code]
            raise StripeError(402, message, type="card_error", code="card_declined", decline_code=card.decline_code)
        self._attach(pm, customer)
        return pm

    def detach_payment_method(self, ids, p):
        pm = self._payment_method(ids["payment_method"], "payment_method", 404)
        if pm["customer"] is None:
            raise invalid(
                "The payment method you provided is not attached to a customer so detachment is impossible.",
                code="payment_method_unexpected_state",
            )
        pm["customer"] = None
        self.emit("payment_method.detached", pm)
        return pm

    def list_payment_methods(self, ids, p):
        return self._list("payment_method", p, "/v1/payment_methods", customer=p.get("customer"), type=p.get("type"))

    def list_customer_payment_methods(self, ids, p):
        customer = self.get("customer", ids["customer"], "customer", 404)["id"]
        url = f"/v1/customers/{customer}/payment_methods"
        return self._list("payment_method", p, url, customer=customer, type=p.get("type"))

    # --- payment intents ---

    def create_payment_intent(self, ids, p):
        if p.get("capture_method") == "manual":
            raise Unsupported("capture_method=manual (separate capture)")
        self._check_customer(p)
        pi = self._new("payment_intent", p, skip={"payment_method"}, status="requires_payment_method", canceled_at=None)
        pi["client_secret"] = f"{pi['id']}_{new_id('secret')}"
        self._set_payment_method(pi, p)
        self.emit("payment_intent.created", pi)
        return self._confirm_payment(pi, p) if p.get("confirm") else pi

    def retrieve_payment_intent(self, ids, p):
        return self.get("payment_intent", ids["intent"], "intent", 404)

    def list_payment_intents(self, ids, p):
        return self._list("payment_intent", p, "/v1/payment_intents", customer=p.get("customer"))

    def update_payment_intent(self, ids, p):
        pi = self.get("payment_intent", ids["intent"], "intent", 404)
        if pi["status"] not in CONFIRMABLE:
            raise unexpected_state("update", pi, CONFIRMABLE)
        self._check_customer(p)
        self._overlay(pi, p, skip={"payment_method"})
        self._set_payment_method(pi, p)
        return pi

    def confirm_payment_intent(self, ids, p):
        pi = self.get("payment_intent", ids["intent"], "intent", 404)
        if pi["status"] not in CONFIRMABLE:
            raise unexpected_state("confirm", pi, CONFIRMABLE)
        self._overlay(pi, p, skip={"payment_method"})
        self._set_payment_method(pi, p)
        return self._confirm_payment(pi, p)

    def cancel_payment_intent(self, ids, p):
        pi = self.get("payment_intent", ids["intent"], "intent", 404)
        if pi["status"] not in CANCELABLE:
            raise unexpected_state("cancel", pi, CANCELABLE)
        pi.update(
            status="canceled",
            canceled_at=int(time.time()),
            cancellation_reason=p.get("cancellation_reason"),
            next_action=None,
        )
        self.emit("payment_intent.canceled", pi)
        return pi

    def _confirm_payment(self, pi: dict, p: dict) -> dict:
        card = self._confirmation_card(pi)
        outcome = card.outcome(setup=False, off_session=p.get("off_session", False) is not False)
        if outcome == cards.SUCCEEDED:
            self._pay(pi)
        elif outcome == cards.REQUIRES_ACTION:
            self._require_action(pi, p, "payment_intent.requires_action")
        else:
            self._payment_failed(pi, *outcome)
        return pi

    def _pay(self, pi: dict) -> None:
        charge = self._charge(pi)
        pi.update(
            status="succeeded",
            amount_received=pi["amount"],
            latest_charge=charge["id"],
            next_action=None,
            last_payment_error=None,
        )
        if pi["setup_future_usage"] and pi["customer"]:
            self._attach(self.objects[pi["payment_method"]], self.objects[pi["customer"]])
        self.emit("charge.succeeded", charge)
        self.emit("payment_intent.succeeded", pi)

    def _payment_failed(self, pi: dict, code: str, decline_code: str):
        """Decline: the intent goes back to requires_payment_method and the API answers 402."""
        message = cards.DECLINE_MESSAGES[decline_code]
        charge = self._charge(pi, failure=(code, message))
        pm = copy.deepcopy(self.objects[pi["payment_method"]])
        error = StripeError(
            402,
            message,
            type="card_error",
            code=code,
            decline_code=decline_code,
            charge=charge["id"],
            payment_method=pm,
        )
        pi.update(
            status="requires_payment_method",
            last_payment_error=dict(error.error),
            latest_charge=charge["id"],
            next_action=None,
        )
        self.emit("charge.failed", charge)
        self.emit("payment_intent.payment_failed", pi)
        error.error["payment_intent"] = copy.deepcopy(pi)
        raise error

    def _charge(self, pi: dict, failure: tuple[str, str] | None = None) -> dict:
        pm = self.objects[pi["payment_method"]]
        paid = failure is None
        charge = self._new(
            "charge",
            {},
            amount=pi["amount"],
            amount_captured=pi["amount"] if paid else 0,
            amount_refunded=0,
            billing_details=copy.deepcopy(pm["billing_details"]),
            captured=paid,
            currency=pi["currency"],
            customer=pi["customer"],
            description=pi["description"],
            failure_code=failure and failure[0],
            failure_message=failure and failure[1],
            metadata=dict(pi["metadata"]),
            paid=paid,
            payment_intent=pi["id"],
            payment_method=pm["id"],
            receipt_url=None,
            refunded=False,
            status="succeeded" if paid else "failed",
        )
        details = charge["payment_method_details"]["card"]
        details.update({k: v for k, v in pm["card"].items() if k in details}, network=pm["card"]["brand"])
        # Only money that moved has a balance transaction: a failed charge has none
        # (never the fixture's id), a succeeded one its own.
        charge["balance_transaction"] = None
        if paid:
            fee = round(pi["amount"] * CARD_FEE[0]) + CARD_FEE[1]
            charge["balance_transaction"] = self._balance_transaction(charge, pi["amount"], fee)
        refunds_url = f"/v1/charges/{charge['id']}/refunds"
        charge["refunds"] = {"object": "list", "data": [], "has_more": False, "url": refunds_url}
        return charge

    # --- setup intents ---

    def create_setup_intent(self, ids, p):
        self._check_customer(p)
        si = self._new("setup_intent", p, skip={"payment_method"}, status="requires_payment_method")
        si["client_secret"] = f"{si['id']}_{new_id('secret')}"
        self._set_payment_method(si, p)
        self.emit("setup_intent.created", si)
        return self._confirm_setup(si, p) if p.get("confirm") else si

    def retrieve_setup_intent(self, ids, p):
        return self.get("setup_intent", ids["intent"], "intent", 404)

    def confirm_setup_intent(self, ids, p):
        si = self.get("setup_intent", ids["intent"], "intent", 404)
        if si["status"] not in CONFIRMABLE:
            raise unexpected_state("confirm", si, CONFIRMABLE)
        self._overlay(si, p, skip={"payment_method"})
        self._set_payment_method(si, p)
        return self._confirm_setup(si, p)

    def _confirm_setup(self, si: dict, p: dict) -> dict:
        outcome = self._confirmation_card(si).outcome(setup=True, off_session=False)
        if outcome == cards.SUCCEEDED:
            self._set_up(si)
        elif outcome == cards.REQUIRES_ACTION:
            self._require_action(si, p, "setup_intent.requires_action")
        else:
            code, decline_code = outcome
            pm = copy.deepcopy(self.objects[si["payment_method"]])
            message = cards.DECLINE_MESSAGES[decline_code]
            error = StripeError(
                402, message, type="card_error", code=code, decline_code=decline_code, payment_method=pm
            )
            si.update(status="requires_payment_method", last_setup_error=dict(error.error), next_action=None)
            self.emit("setup_intent.setup_failed", si)
            error.error["setup_intent"] = copy.deepcopy(si)
            raise error
        return si

    def _set_up(self, si: dict) -> None:
        si.update(status="succeeded", next_action=None, last_setup_error=None)
        if si["customer"]:
            self._attach(self.objects[si["payment_method"]], self.objects[si["customer"]])
        self.emit("setup_intent.succeeded", si)

    # --- refunds, charges, disputes, events ---

    def create_refund(self, ids, p):
        if p.get("payment_intent"):
            pi = self.get("payment_intent", p["payment_intent"], "payment_intent")
            if pi["status"] != "succeeded":
                raise invalid(
                    f"This PaymentIntent ({pi['id']}) does not have a successful charge to refund.",
                    param="payment_intent",
                )
            charge = self.objects[pi["latest_charge"]]
        elif p.get("charge"):
            charge = self.get("charge", p["charge"], "charge")
            if charge["status"] != "succeeded":
                raise invalid(f"Charge {charge['id']} has not succeeded and cannot be refunded.", param="charge")
        else:
            raise invalid("One of the following params should be provided for this request: payment_intent or charge.")
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining == 0:
            raise invalid(f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded")
        amount = p.get("amount", remaining)
        if amount < 1:
            raise invalid("This value must be greater than or equal to 1.", param="amount")
        if amount > remaining:
            raise invalid(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})", param="amount"
            )
        refund = self._new(
            "refund",
            p,
            skip={"charge", "payment_intent"},
            amount=amount,
            charge=charge["id"],
            currency=charge["currency"],
            payment_intent=charge["payment_intent"],
            status="succeeded",
        )
        refund["balance_transaction"] = self._balance_transaction(refund, -amount, 0)
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        charge["refunds"]["data"].insert(0, refund)
        self.emit("charge.refunded", charge)
        return refund

    def retrieve_refund(self, ids, p):
        return self.get("refund", ids["refund"], "refund", 404)

    def list_refunds(self, ids, p):
        return self._list("refund", p, "/v1/refunds", payment_intent=p.get("payment_intent"), charge=p.get("charge"))

    def retrieve_charge(self, ids, p):
        return self.get("charge", ids["charge"], "charge", 404)

    def list_charges(self, ids, p):
        filters = {"payment_intent": p.get("payment_intent"), "customer": p.get("customer")}
        return self._list("charge", p, "/v1/charges", **filters)

    def retrieve_balance_transaction(self, ids, p):
        return self.get("balance_transaction", ids["id"], "id", 404)

    def retrieve_dispute(self, ids, p):
        return self.get("dispute", ids["dispute"], "dispute", 404)

    def retrieve_event(self, ids, p):
        return self.get("event", ids["id"], "id", 404)

    def list_events(self, ids, p):
        types = p.get("types") or ([p["type"]] if p.get("type") else None)
        events = [e for e in reversed(self.events) if types is None or e["type"] in types]
        return _page(events, p, "/v1/events")

    # --- shared steps ---

    def _new(self, kind: str, params: dict, skip=(), **fields) -> dict:
        obj = new_object(kind, PREFIXES[kind], **fields)
        self.objects[obj["id"]] = obj
        self._overlay(obj, params, skip)
        return obj

    def _overlay(self, obj: dict, params: dict, skip=()) -> None:
        """Copy the params that are fields of ``obj`` onto it; metadata merges and
        ``""`` unsets a key, like Stripe. Missing nullable fields are filled with null."""
        for key, value in params.items():
            if key in skip or key not in obj:
                continue
            if key == "metadata":
                merged = {**(obj[key] or {}), **(value or {})} if value is not None else {}
                obj[key] = {k: v for k, v in merged.items() if v != ""}
            elif isinstance(value, dict) and isinstance(obj[key], dict):
                obj[key] = {**obj[key], **value}
            else:
                obj[key] = value
        spec.load().complete(obj, {"$ref": f"#/components/schemas/{obj['object']}"})

    def _balance_transaction(self, source: dict, amount: int, fee: int) -> str:
        fee_details = [
            {
                "amount": fee,
                "application": None,
                "currency": source["currency"],
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ]
        txn = self._new(
            "balance_transaction",
            {},
            amount=amount,
            available_on=int(time.time()),
            currency=source["currency"],
            description=None,
            fee=fee,
            fee_details=fee_details if fee else [],
            net=amount - fee,
            reporting_category=source["object"],
            source=source["id"],
            type=source["object"],
        )
        return txn["id"]

    def _payment_method(self, pm_id: str, param: str, status: int = 400) -> dict:
        """A stored PaymentMethod, or a fresh one cloned from a magic ``pm_card_*`` id."""
        card = cards.MAGIC_CARDS.get(pm_id)
        if card is None:
            return self.get("payment_method", pm_id, param, status)
        blank_billing = {"address": {}, "email": None, "name": None, "phone": None}
        pm = self._new("payment_method", {}, customer=None, metadata={}, billing_details=blank_billing)
        pm["card"].update(card.details())
        self.cards[pm["id"]] = card
        return pm

    def _set_payment_method(self, intent: dict, p: dict) -> None:
        if p.get("payment_method"):
            intent["payment_method"] = self._payment_method(p["payment_method"], "payment_method")["id"]
            if intent["status"] == "requires_payment_method":
                intent["status"] = "requires_confirmation"

    def _confirmation_card(self, intent: dict) -> cards.MagicCard:
        if intent["payment_method"] is None:
            kind = "PaymentIntent" if intent["object"] == "payment_intent" else "SetupIntent"
            raise invalid(
                f"You cannot confirm this {kind} because it's missing a payment method. You can either update "
                f"the {kind} with a payment method and then confirm it again, or confirm it again directly "
                "with a payment method.",
                code=f"{intent['object']}_unexpected_state",
            )
        return self.cards[intent["payment_method"]]

    def _require_action(self, intent: dict, p: dict, event_type: str) -> None:
        """3-D Secure: a redirect when the client gave a return_url, else the Stripe.js flow.
        The URL is this server's /_test/3ds page, which completes authentication."""
        url = f"{self._store.base_url}/_test/3ds/{intent['id']}"
        if p.get("return_url"):
            action = {"type": "redirect_to_url", "redirect_to_url": {"url": url, "return_url": p["return_url"]}}
        else:
            sdk = {"type": "three_d_secure_redirect", "stripe_js": url, "source": new_id("src")}
            action = {"type": "use_stripe_sdk", "use_stripe_sdk": sdk}
        intent.update(status="requires_action", next_action=action)
        self.emit(event_type, intent)

    def _attach(self, pm: dict, customer: dict) -> None:
        if pm["customer"] != customer["id"]:
            pm["customer"] = customer["id"]
            self.emit("payment_method.attached", pm)

    def _check_customer(self, p: dict) -> None:
        if p.get("customer"):
            self.get("customer", p["customer"], "customer")

    def _list(self, kind: str, p: dict, url: str, **filters) -> dict:
        items = [
            o
            for o in reversed(self.objects.values())  # newest first, like Stripe
            if o["object"] == kind and all(v is None or o.get(k) == v for k, v in filters.items())
        ]
        return _page(items, p, url)

    def _expand(self, node: dict, parts: list[str], path: str) -> None:
        if not parts:
            return
        if node.get("object") == "list" and parts[0] == "data":
            for item in node["data"]:
                self._expand(item, parts[1:], path)
            return
        field, rest = parts[0], parts[1:]
        if field not in node:
            raise invalid(f"This property cannot be expanded ({path}).", param="expand")
        value = node[field]
        if isinstance(value, str):
            if value not in self.objects:
                raise Unsupported(f"expanding {path} ({value})")
            value = node[field] = copy.deepcopy(self.objects[value])
        if isinstance(value, dict):
            self._expand(value, rest, path)


def _page(items: list[dict], p: dict, url: str) -> dict:
    """A list object honouring limit, starting_after and ending_before."""
    ids = [o["id"] for o in items]
    limit = p.get("limit", 10)
    if p.get("starting_after") in ids:
        items = items[ids.index(p["starting_after"]) + 1 :]
    if p.get("ending_before") in ids:
        items = items[: ids.index(p["ending_before"])]
        page = items[-limit:]
    else:
        page = items[:limit]
    return {"object": "list", "data": page, "has_more": len(items) > limit, "url": url}


OPERATIONS = {
    "PostCustomers": Account.create_customer,
    "GetCustomers": Account.list_customers,
    "GetCustomersCustomer": Account.retrieve_customer,
    "PostCustomersCustomer": Account.update_customer,
    "GetCustomersCustomerPaymentMethods": Account.list_customer_payment_methods,
    "GetPaymentMethods": Account.list_payment_methods,
    "GetPaymentMethodsPaymentMethod": Account.retrieve_payment_method,
    "PostPaymentMethodsPaymentMethodAttach": Account.attach_payment_method,
    "PostPaymentMethodsPaymentMethodDetach": Account.detach_payment_method,
    "PostPaymentIntents": Account.create_payment_intent,
    "GetPaymentIntents": Account.list_payment_intents,
    "GetPaymentIntentsIntent": Account.retrieve_payment_intent,
    "PostPaymentIntentsIntent": Account.update_payment_intent,
    "PostPaymentIntentsIntentConfirm": Account.confirm_payment_intent,
    "PostPaymentIntentsIntentCancel": Account.cancel_payment_intent,
    "PostSetupIntents": Account.create_setup_intent,
    "GetSetupIntentsIntent": Account.retrieve_setup_intent,
    "PostSetupIntentsIntentConfirm": Account.confirm_setup_intent,
    "PostRefunds": Account.create_refund,
    "GetRefunds": Account.list_refunds,
    "GetRefundsRefund": Account.retrieve_refund,
    "GetCharges": Account.list_charges,
    "GetChargesCharge": Account.retrieve_charge,
    "GetBalanceTransactionsId": Account.retrieve_balance_transaction,
    "GetDisputesDispute": Account.retrieve_dispute,
    "GetEvents": Account.list_events,
    "GetEventsId": Account.retrieve_event,
}
