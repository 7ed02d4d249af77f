"""Every client-area page (kernel's and plugins') answers malformed query values
and unknown ids with a page or a 4xx, never a 500."""

import re

from mpanel.testing.pytest_plugin import csrf_token

NAMES = ["product", "cycle", "q", "name", "invoice", "coupon", "option-1", "addon", "years", "tld", "page",
         "amount", "action", "domain", "gateway"]
VALUES = ["-1", "abc", "9" * 30, "\x00", "🙂", "", "<script>"]


def test_client_pages_survive_malformed_queries_and_forms(client, factory, app):
    tenant = factory.tenant()
    tenant.web_login(client, tenant.contact(tenant.customer()))
    failures, requests = [], 0
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/client/")]
    for rule in rules:
        for ident in ("1", "999999999999"):
            path = re.sub(r"<(?:int:)?[^>]+>", ident, rule.rule)
            if "GET" in rule.methods:
                for name in NAMES:
                    for value in VALUES:
                        response = client.get(path, base_url=tenant.host, query_string={name: value})
                        requests += 1
                        if response.status_code >= 500:
                            failures.append(("GET", path, name, value, response.status_code))
            if "POST" in rule.methods:
                page = client.get("/security/", base_url=tenant.host)  # a page with a form
                token = csrf_token(page.get_data(as_text=True))
                for value in VALUES:
                    response = client.post(path, base_url=tenant.host,
                                           data={**dict.fromkeys(NAMES, value), "csrf_token": token})
                    requests += 1
                    if response.status_code >= 500:
                        failures.append(("POST", path, value, response.status_code))
    assert len(rules) > 20 and requests > 1000
    assert failures == [], "\n".join(map(str, failures))
