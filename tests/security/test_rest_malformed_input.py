"""Every REST endpoint in the OpenAPI document, kernel's and plugins', answers
malformed input with a 4xx, never a 500: bad path ids, bad query values and
request bodies of the wrong shape, as staff and as a customer's contact."""

import re

import pytest

from mpanel.testing.pytest_plugin import bearer

BAD_QUERY = ["-1", "abc", "9" * 30, "1.5", "\x00", "🙂", ""]
BAD_BODIES = ["not json", "[]", '"text"', "{}", '{"amount": "abc", "customer_id": "1", "invoice_ids": "x", '
              '"lines": {}, "years": -3, "name": ["x"], "status": 5, "page": "x"}', "null",
              '{"lines": [{"product": 99999999999999, "cycle": "monthly", "options": {"99999999999999": 1}}, '
              '{"domain": "\\u0000x.com", "years": 99999999999}], "invoice_ids": [99999999999999], '
              '"amount": "1e400", "customer_id": 99999999999999, "invoice_id": 99999999999999}']
METHODS = ("get", "post", "put", "patch", "delete")


def operations(spec):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def concrete(path: str, ident: str) -> str:
    return re.sub(r"\{[^}]+\}", ident, path)


@pytest.fixture
def tenant_tokens(client, factory):
    tenant = factory.tenant()
    customer_id = tenant.customer()
    staff = tenant.api_token(client, tenant.staff("Owner"))
    contact = tenant.api_token(client, tenant.contact(customer_id))
    spec = client.get("/api/v1/_openapi", base_url=tenant.host, headers=bearer(staff)).get_json()
    return tenant, spec, {"staff": staff, "contact": contact}


def test_no_endpoint_answers_malformed_input_with_a_server_error(client, tenant_tokens):
    tenant, spec, tokens = tenant_tokens
    failures, requests = [], 0
    for path, method, operation in operations(spec):
        if not path.startswith("/api/v1/") or "security" in path:
            continue
        queries = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"] or ["q"]
        for who, token in tokens.items():
            headers = bearer(token)
            for ident in ("1", "999999999"):
                url = concrete(path, ident)
                attempts = [(f"{url}?{name}={value}", None) for name in queries for value in BAD_QUERY]
                if method in ("post", "put", "patch"):
                    attempts += [(url, body) for body in BAD_BODIES]
                for target, body in attempts:
                    response = client.open(target, method=method.upper(), base_url=tenant.host, headers=headers,
                                           data=body, content_type="application/json" if body else None)
                    requests += 1
                    if response.status_code >= 500:
                        failures.append((who, method.upper(), target, body, response.status_code))
    assert requests > 500
    assert failures == [], "\n".join(map(str, failures))
