"""StripeTestServer: a local, threaded stand-in for api.stripe.com.

Each request is checked against Stripe's OpenAPI description (route, method,
API key, parameters); failures get Stripe's 4xx error and are recorded in
``violations``. Valid requests run against per-account state (``state.py``),
honouring ``Idempotency-Key`` and any faults queued with ``fail_next``.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import stripe

from . import spec, webhooks
from .errors import StripeError, Unsupported, invalid
from .objects import account_id, new_id
from .state import Account, Store

TEST_API_KEY = "sk_test_mpanel_local"
FAULT_MODES = (
    "500",  # answer with a 500 api_error without doing anything
    "timeout",  # hold the request without doing anything, then drop the connection
    "lost_response",  # do the work (and store the idempotent result), then drop the connection
)
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class RecordedRequest:
    method: str  # "GET", "POST", "DELETE"
    path: str
    params: dict  # query + form parameters, typed per the spec (decoded strings if they failed the checks)
    idempotency_key: str | None
    account: str | None
    status: int | None  # None when a fault dropped the connection before answering
    fault: str | None = None


@dataclass(frozen=True)
class Violation:
    method: str
    path: str
    param: str | None
    message: str


class StripeTestServer:
    """``with StripeTestServer() as server: client = server.client()``"""

    def __init__(self, hang_seconds: float = 10.0):
        self.hang_seconds = hang_seconds  # how long "timeout"/"lost_response" faults hold a request
        self.requests: list[RecordedRequest] = []
        self.violations: list[Violation] = []
        self.url: str | None = None
        self._store = Store()
        self._faults: deque[str] = deque()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> StripeTestServer:
        spec.load()  # parse the description before the first request
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.app = self
        self.url = self._store.base_url = f"http://127.0.0.1:{self._httpd.server_port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="stripe-test-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases requests held by faults
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> StripeTestServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- for tests ---

    def client(
        self, api_key: str = TEST_API_KEY, *, timeout: float = 5.0, max_network_retries: int = 0
    ) -> stripe.StripeClient:
        """A real ``stripe.StripeClient`` pointed at this server."""
        return stripe.StripeClient(
            api_key,
            base_addresses={"api": self.url},
            http_client=stripe.RequestsClient(timeout=timeout),
            max_network_retries=max_network_retries,
        )

    def account(self, api_key: str = TEST_API_KEY) -> Account:
        """The account behind an API key; ``.objects`` holds its state by id."""
        return self._store.account(api_key)

    @property
    def events(self) -> list[dict]:
        """Events of every account, oldest first (each carries its ``account``)."""
        with self._store.lock:
            return list(self._store.events)

    def find_events(self, type: str | None = None, api_key: str | None = None) -> list[dict]:
        account = api_key and account_id(api_key)
        return [
            e
            for e in self.events
            if (type is None or e["type"] == type) and (account is None or e["account"] == account)
        ]

    def fail_next(self, n: int = 1, mode: str = "500") -> None:
        """Make the next ``n`` API requests fail; see FAULT_MODES."""
        if mode not in FAULT_MODES:
            raise ValueError(f"mode must be one of {FAULT_MODES}")
        with self._store.lock:
            self._faults.extend([mode] * n)

    def complete_3ds(self, intent_id: str) -> dict:
        """The customer passes 3-D Secure: a requires_action Payment/SetupIntent succeeds."""
        return self._authenticate(intent_id, succeed=True)[0]

    def fail_3ds(self, intent_id: str) -> dict:
        """The customer fails 3-D Secure: the intent returns to requires_payment_method."""
        return self._authenticate(intent_id, succeed=False)[0]

    def create_dispute(self, payment_intent_id: str, *, amount: int | None = None, reason: str = "fraudulent") -> dict:
        """Dispute a succeeded payment; records ``charge.dispute.created``."""
        with self._store.lock:
            return copy.deepcopy(self._store.owner(payment_intent_id).dispute(payment_intent_id, amount, reason))

    def build_event(self, type: str, data_object: dict, account: str | None = None, api_key: str | None = None) -> dict:
        return webhooks.build_event(type, data_object, account or (api_key and account_id(api_key)))

    sign_event = staticmethod(webhooks.sign_event)
    deliver = staticmethod(webhooks.deliver)

    # --- request handling ---

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        if h.command == "GET" and url.path.startswith("/_test/3ds/"):
            return self._authentication_page(h, url)
        query = spec.decode_form(parse_qsl(url.query, keep_blank_values=True))
        form = spec.decode_form(parse_qsl(raw.decode(), keep_blank_values=True))
        with self._store.lock:
            fault = self._faults.popleft() if self._faults else None
        params = {**query, **form}
        if fault == "timeout":
            status = None
        elif fault == "500":
            error = StripeError(500, "An unknown error occurred. Please try again.", type="api_error")
            status, body, headers = 500, json.dumps(error.body()).encode(), {}
        else:
            status, body, headers, params = self._respond(h, url.path, query, form)
        key = h.headers.get("Idempotency-Key")
        auth = h.headers.get("Authorization", "")
        account = account_id(auth.removeprefix("Bearer ")) if auth.startswith("Bearer ") else None
        record = RecordedRequest(h.command, url.path, params, key, account, status, fault)
        with self._store.lock:
            self.requests.append(record)
        if fault in ("timeout", "lost_response"):
            self._stopping.wait(self.hang_seconds)
            h.close_connection = True
            return None
        return _send(h, status, body, headers)

    def _respond(self, h, path: str, query: dict, form: dict) -> tuple[int, bytes, dict, dict]:
        """(status, body, headers, typed params) for an API request."""
        method = h.command.lower()
        try:
            api_key, operation, ids, params = self._check(h, method, path, query, form)
        except StripeError as e:
            self._violate(h.command, path, e.error["message"], e.error.get("param"))
            return e.status, json.dumps(e.body()).encode(), {}, {**query, **form}
        account = self._store.account(api_key)
        key = h.headers.get("Idempotency-Key") if method == "post" else None
        fingerprint = (method, path, json.dumps([query, form], sort_keys=True))
        with self._store.lock:
            if key in account.idempotency:
                return (*_replay(account.idempotency[key], fingerprint, key), params)
            request_id = new_id("req")
            try:
                obj = account.call(operation.operation_id, ids, params, {"id": request_id, "idempotency_key": key})
                status, payload = 200, account.expand(obj, params.get("expand", []))
                for problem in spec.load().response_errors(operation, payload):
                    self._violate(h.command, path, f"response {problem}")
            except Unsupported as e:
                self._violate(h.command, path, e.error["message"])
                return e.status, json.dumps(e.body()).encode(), {}, params
            except StripeError as e:
                status, payload = e.status, e.body()
            except Exception as e:  # a bug in the test server: show it to the test, not just stderr
                self._violate(h.command, path, f"StripeTestServer error: {e!r}")
                error = StripeError(500, f"StripeTestServer error: {e!r}", type="api_error")
                return 500, json.dumps(error.body()).encode(), {}, params
            body = json.dumps(payload).encode()
            if key:
                account.idempotency[key] = (fingerprint, status, body)
        headers = {"Request-Id": request_id, **({"Idempotency-Key": key} if key else {})}
        return status, body, headers, params

    def _check(self, h, method: str, path: str, query: dict, form: dict):
        """API key, route, method and parameters, as Stripe's API checks them."""
        auth = h.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            raise StripeError(
                401,
                "You did not provide an API key. You need to provide your API key in the Authorization header, "
                "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        api_key = auth.removeprefix("Bearer ")
        if not api_key.startswith(("sk_test_", "rk_test_")):
            raise StripeError(401, f"Invalid API Key provided: {api_key[:8]}****{api_key[-4:]}")
        found = spec.load().match(path)
        operation = found and found[0].operations.get(method)
        if not operation:
            raise StripeError(404, f"Unrecognized request URL ({h.command}: {path}).")
        if form and not h.headers.get("Content-Type", "").startswith(_FORM):
            raise invalid(f"Content-Type must be {_FORM}.")
        try:
            params = {**spec.convert(query, operation.query), **spec.convert(form, operation.body)}
        except spec.ParamError as e:
            raise invalid(e.message, param=e.param) from None
        return api_key, operation, found[1], params

    def _violate(self, method: str, path: str, message: str, param: str | None = None) -> None:
        with self._store.lock:
            self.violations.append(Violation(method, path, param, message))

    def _authenticate(self, intent_id: str, succeed: bool) -> tuple[dict, str | None]:
        """(intent after 3-D Secure, the return_url it was redirected from, if any)."""
        with self._store.lock:
            account = self._store.owner(intent_id)
            action = account.objects[intent_id]["next_action"] or {}
            intent = copy.deepcopy(account.authenticate(intent_id, succeed))
        return intent, (action.get("redirect_to_url") or {}).get("return_url")

    def _authentication_page(self, h, url) -> None:
        """``next_action`` URL: GET completes 3-D Secure (``?outcome=fail`` fails it) and
        redirects back to the return_url with Stripe's query parameters."""
        succeed = dict(parse_qsl(url.query)).get("outcome") != "fail"
        try:
            intent, return_url = self._authenticate(url.path.rsplit("/", 1)[1], succeed)
        except (KeyError, ValueError) as e:
            return _send(h, 400, str(e).encode(), {}, "text/plain")
        if not return_url:
            return _send(h, 200, b"3-D Secure authentication finished.", {}, "text/plain")
        kind = intent["object"]
        query = {kind: intent["id"], f"{kind}_client_secret": intent["client_secret"]}
        query["redirect_status"] = "succeeded" if succeed else "failed"
        location = return_url + ("&" if "?" in return_url else "?") + urlencode(query)
        return _send(h, 302, b"", {"Location": location}, "text/plain")


def _replay(stored: tuple, fingerprint: tuple, key: str) -> tuple[int, bytes, dict]:
    first_fingerprint, status, body = stored
    if first_fingerprint == fingerprint:
        return status, body, {"Idempotent-Replayed": "true", "Idempotency-Key": key}
    error = StripeError(
        400,
        "Keys for idempotent requests can only be used with the same parameters they were first used with. "
        f"Try using a key other than '{key}' if you meant to execute a different request.",
        type="idempotency_error",
    )
    return 400, json.dumps(error.body()).encode(), {"Idempotency-Key": key}


def _send(h, status: int, body: bytes, headers: dict, content_type: str = "application/json") -> None:
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's requests session expects

    def do_GET(self):
        self.server.app._serve(self)

    do_POST = do_DELETE = do_PUT = do_PATCH = do_GET

    def log_message(self, format, *args):  # keep test output quiet
        pass
