"""A local WHM test server speaking WHM API 1 over HTTP, for the WHM provisioning module's tests.

It follows cPanel's public WHM API 1 documentation (api.docs.cpanel.net, "WHM API 1
Functions"): every call is ``GET /json-api/<function>?api.version=1&...`` with the header
``Authorization: whm USER:TOKEN``; answers are ``{"metadata": {"version": 1, "result": 1|0,
"reason": ..., "command": ...}, "data": {...}}``, and a failure is ``result: 0`` with the
reason, still HTTP 200, as WHM answers. Bad or missing auth is HTTP 403 (WHM refuses the
token before the function runs). Unlike real WHM, an unknown parameter is refused (result
0), so the module cannot send a name WHM would silently ignore.

Implemented functions and their parameters (required ones first):
createacct (username, domain; plan, password, contactemail), suspendacct (user; reason),
unsuspendacct (user), removeacct (username; keepdns), changepackage (user, pkg),
passwd (user, password), accountsummary (user), create_user_session (user, service),
listaccts (; search, searchtype), listpkgs ().

``server.down = True`` closes every connection without an answer (the panel is down),
``server.delay`` seconds are slept before answering (slower than the client's timeout).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

PARAMS = {  # function -> (required, optional)
    "createacct": (("username", "domain"), ("plan", "password", "contactemail")),
    "suspendacct": (("user",), ("reason",)),
    "unsuspendacct": (("user",), ()),
    "removeacct": (("username",), ("keepdns",)),
    "changepackage": (("user", "pkg"), ()),
    "passwd": (("user", "password"), ()),
    "accountsummary": (("user",), ()),
    "create_user_session": (("user", "service"), ()),
    "listaccts": ((), ("search", "searchtype")),
    "listpkgs": ((), ()),
}


class WhmError(Exception):
    pass


class WhmServer:
    def __init__(self, user: str = "root", token: str | None = None, packages=("basic", "pro")):
        self.user, self.token = user, token or secrets.token_hex(16).upper()
        self.packages = list(packages)
        self.accounts: dict[str, dict] = {}
        self.calls: list[tuple[str, dict]] = []
        self.down = False
        self.delay = 0.0
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> WhmServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def count(self, function: str) -> int:
        return sum(1 for name, _ in self.calls if name == function)

    # -- the functions ---------------------------------------------------------------------

    def _account(self, user: str) -> dict:
        if user not in self.accounts:
            raise WhmError(f"The user “{user}” does not exist.")
        return self.accounts[user]

    def createacct(self, username, domain, plan="default", password=None, contactemail=""):
        if username in self.accounts:
            raise WhmError(f"The username “{username}” is taken.")
        if plan not in self.packages and plan != "default":
            raise WhmError(f"The package “{plan}” does not exist.")
        if len(username) > 16 or not username.isalnum() or not username[0].isalpha():
            raise WhmError(f"“{username}” is not a valid username.")
        self.accounts[username] = {"user": username, "domain": domain, "plan": plan, "email": contactemail,
                                   "suspended": 0, "suspendreason": "not suspended", "diskused": "0M",
                                   "disklimit": "unlimited", "password": password}
        return {"ip": "127.0.0.1", "package": plan, "nameserver": "ns1.example.com",
                "nameserver2": "ns2.example.com"}

    def suspendacct(self, user, reason=""):
        account = self._account(user)
        account["suspended"], account["suspendreason"] = 1, reason
        return None

    def unsuspendacct(self, user):
        account = self._account(user)
        account["suspended"], account["suspendreason"] = 0, "not suspended"
        return None

    def removeacct(self, username, keepdns="0"):
        self._account(username)
        del self.accounts[username]
        return None

    def changepackage(self, user, pkg):
        if pkg not in self.packages:
            raise WhmError(f"The package “{pkg}” does not exist.")
        self._account(user)["plan"] = pkg
        return None

    def passwd(self, user, password):
        self._account(user)["password"] = password
        return {"app": [{"app": "system"}]}

    def accountsummary(self, user):
        account = self._account(user)
        return {"acct": [{k: v for k, v in account.items() if k != "password"}]}

    def create_user_session(self, user, service):
        if service not in ("cpaneld", "webmaild"):
            raise WhmError(f"Invalid service: {service}")
        self._account(user)
        session = f"{user}:{secrets.token_hex(8)}"
        return {"session": session, "expires": int(time.time()) + 300, "service": service,
                "url": f"https://127.0.0.1:2083/cpsess{secrets.randbelow(10**10):010d}/login/?session={session}"}

    def listaccts(self, search=None, searchtype="user"):
        rows = [{k: v for k, v in a.items() if k != "password"} for a in self.accounts.values()]
        if search is not None:
            rows = [a for a in rows if a.get("user" if searchtype == "user" else "domain") == search]
        return {"acct": rows}

    def listpkgs(self):
        return {"pkg": [{"name": name} for name in self.packages]}

    # -- HTTP --------------------------------------------------------------------------------

    def answer(self, function: str, query: dict) -> tuple[int, dict]:
        required, optional = PARAMS[function]
        missing = [name for name in required if not query.get(name)]
        unknown = sorted(set(query) - set(required) - set(optional))
        if missing or unknown:
            reason = (f"Missing parameter: {missing[0]}" if missing else f"Unknown parameter: {unknown[0]}")
            return 200, {"metadata": {"version": 1, "result": 0, "reason": reason, "command": function}}
        with self.lock:
            self.calls.append((function, dict(query)))
            try:
                data = getattr(self, function)(**query)
            except WhmError as exc:
                return 200, {"metadata": {"version": 1, "result": 0, "reason": str(exc), "command": function}}
        body = {"metadata": {"version": 1, "result": 1, "reason": "OK", "command": function}}
        if data is not None:
            body["data"] = data
        return 200, body

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if server.down:
                    self.close_connection = True
                    self.connection.close()
                    return
                if server.delay:
                    time.sleep(server.delay)
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query, keep_blank_values=True))
                function = parts.path.removeprefix("/json-api/")
                if self.headers.get("Authorization") != f"whm {server.user}:{server.token}":
                    return self._send(403, {"cpanelresult": {"error": "Access denied", "data": {"reason":
                                                                                                   "Access denied"}}})
                if not parts.path.startswith("/json-api/") or function not in PARAMS:
                    return self._send(404, {"metadata": {"version": 1, "result": 0,
                                                         "reason": f"Unknown app “{function}” requested."}})
                if query.pop("api.version", None) != "1":
                    return self._send(200, {"metadata": {"version": 0, "result": 0,
                                                         "reason": "api.version=1 is required"}})
                self._send(*server.answer(function, query))

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
