"""The trusted reverse proxy: with ``TRUSTED_PROXY_HOPS`` = n > 0, the client address
and scheme come from the last n ``X-Forwarded-For`` / ``X-Forwarded-Proto`` entries
(Werkzeug's ProxyFix), so the metrics allow-list, login throttles, audit rows, sessions
and API-key allow-lists see the real client. Off (0) by default: without a proxy those
headers are the client's own and never trusted. The Host header is never taken from
``X-Forwarded-Host``: the proxy must pass the client's Host on (it picks the tenant)."""

from __future__ import annotations

from werkzeug.middleware.proxy_fix import ProxyFix


class TrustedProxy:
    """WSGI middleware reading the hop count from the app's config on each request."""

    def __init__(self, app):
        self.app, self.wsgi_app, self._fixes = app, app.wsgi_app, {}

    def __call__(self, environ, start_response):
        hops = int(self.app.config["TRUSTED_PROXY_HOPS"])
        if hops <= 0:
            return self.wsgi_app(environ, start_response)
        fix = self._fixes.get(hops)
        if fix is None:
            fix = self._fixes[hops] = ProxyFix(self.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0)
        return fix(environ, start_response)


def install(app) -> None:
    app.wsgi_app = TrustedProxy(app)
