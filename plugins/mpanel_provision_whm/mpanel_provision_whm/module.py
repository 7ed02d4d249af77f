"""cPanel/WHM over WHM API 1: ``GET https://host:2087/json-api/<function>?api.version=1``
with ``Authorization: whm USER:TOKEN``. WHM answers HTTP 200 with
``metadata.result`` 0 and a ``reason`` when a call fails."""

from __future__ import annotations

import requests
from mpanel_provisioning.module import AccountRequest, AccountResult, ProvisioningError, ProvisioningModule

from mpanel.core.settings import Setting
from mpanel.core.unit_of_work import forbid_network


def _megabytes(value) -> float | None:
    text = str(value or "").strip().upper()
    if not text or text == "UNLIMITED":
        return None
    return float(text.rstrip("M") or 0)


class WhmModule(ProvisioningModule):
    title = "cPanel/WHM"
    default_port = 2087
    username_max_length = 16
    product_settings = {"package": Setting("default", help="The WHM package (plan) of the account")}

    def call(self, function: str, **params) -> dict:
        forbid_network(f"WHM {function}")
        c = self.connection
        url = f"{'https' if c.secure else 'http'}://{c.host}:{c.port}/json-api/{function}"
        try:
            response = requests.get(url, params={"api.version": 1, **params}, timeout=c.timeout,
                                    verify=c.verify_tls, headers={"Authorization": f"whm {c.username}:{c.secret}"})
        except requests.RequestException as exc:
            raise ProvisioningError(f"WHM at {c.host}:{c.port} did not answer: {type(exc).__name__}",
                                    retryable=True) from exc
        if response.status_code in (401, 403):
            raise ProvisioningError(f"WHM refused the API token of {c.username!r} (HTTP {response.status_code})")
        if response.status_code >= 500:
            raise ProvisioningError(f"WHM answered HTTP {response.status_code}", retryable=True)
        try:
            body = response.json()
            metadata = body["metadata"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ProvisioningError(f"WHM answered HTTP {response.status_code} without WHM API 1 JSON") from exc
        if metadata.get("result") != 1:
            raise ProvisioningError(f"WHM {function}: {metadata.get('reason') or 'failed'}")
        return body.get("data") or {}

    def find(self, username: str) -> dict | None:
        accounts = self.call("listaccts", search=username, searchtype="user").get("acct") or []
        return next((a for a in accounts if a.get("user") == username), None)

    def create(self, request: AccountRequest) -> AccountResult:
        existing = self.find(request.username)
        if existing is not None:
            return AccountResult(request.username, adopted=True, message=f"{request.username} exists on WHM",
                                 details={"domain": existing.get("domain"), "plan": existing.get("plan")})
        try:
            data = self.call("createacct", username=request.username, domain=request.domain,
                             plan=request.settings.get("package") or "default", password=request.password,
                             contactemail=request.email)
        except ProvisioningError:
            existing = self.find(request.username)  # a call that timed out may have created it
            if existing is None:
                raise
            return AccountResult(request.username, adopted=True, message=f"{request.username} exists on WHM")
        return AccountResult(request.username, message="account created",
                             details={"ip": data.get("ip"), "package": data.get("package")})

    def _absent_ok(self, function: str, **params) -> None:
        try:
            self.call(function, **params)
        except ProvisioningError as exc:
            if "does not exist" not in str(exc):
                raise

    def suspend(self, username: str, reason: str) -> None:
        self.call("suspendacct", user=username, reason=reason)

    def unsuspend(self, username: str) -> None:
        self.call("unsuspendacct", user=username)

    def terminate(self, username: str) -> None:
        self._absent_ok("removeacct", username=username)  # removed already: done

    def change_package(self, username: str, settings: dict) -> None:
        self.call("changepackage", user=username, pkg=settings.get("package") or "default")

    def change_password(self, username: str, password: str) -> None:
        self.call("passwd", user=username, password=password)

    def usage(self, username: str) -> dict:
        account = (self.call("accountsummary", user=username).get("acct") or [{}])[0]
        return {"disk_mb": _megabytes(account.get("diskused")), "disk_limit_mb": _megabytes(account.get("disklimit")),
                "suspended": bool(account.get("suspended"))}

    def sso_url(self, username: str) -> str:
        return self.call("create_user_session", user=username, service="cpaneld")["url"]

    def test_connection(self) -> str:
        packages = self.call("listpkgs").get("pkg") or []
        return f"WHM answered: {len(packages)} package(s)"
