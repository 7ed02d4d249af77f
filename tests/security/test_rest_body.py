"""One way to read a REST body (``mpanel.api.body``): only JSON objects, size and
depth capped before parsing, no NUL bytes or broken UTF-8; and one error shape."""

import json

import pytest

from mpanel.testing.pytest_plugin import bearer

WRITES = ("post", "put", "patch")


@pytest.fixture
def owner(client, factory):
    tenant = factory.tenant()
    return tenant, bearer(tenant.api_token(client, tenant.staff("Owner")))


def _messages(response) -> dict:
    body = response.get_json()
    assert isinstance(body["message"], dict) and all(isinstance(v, list | dict) for v in body["message"].values())
    return body["message"]


def test_a_form_encoded_write_is_refused_on_every_operation(client, owner):
    tenant, headers = owner
    spec = client.get("/api/v1/_openapi", base_url=tenant.host, headers=headers).get_json()
    tried = 0
    for path, item in spec["paths"].items():
        for method in WRITES:
            if method not in item or path.endswith("/statements"):  # CAMT import reads XML
                continue
            url = path.replace("{pk}", "1").replace("{name}", "billing")
            response = client.open(url, method=method.upper(), base_url=tenant.host, headers=headers,
                                   data={"a": "1"})
            tried += 1
            assert response.status_code == 415, (method, url, response.get_json())
            assert "body" in _messages(response)
    assert tried > 30


@pytest.mark.parametrize(("data", "status"), [
    ("[" * 20000 + "]" * 20000, 400),
    ('{"a": ' * 20000 + "1" + "}" * 20000, 400),
    (b'{"username": "\xff\xfe"}', 400),
    ('{"username": "a\\u0000b", "password": "x"}', 400),
    ('{"username": "\\ud800", "password": "x"}', 400),
    ('"just a string"', 400),
    ("null", 400),
    ('{"username": 1e400, "password": "x"}', 400),
    ('{"username": NaN, "password": "x"}', 400),
    ("{" + '"k": "' + "x" * (1024 * 1024) + '"}', 413),
])
def test_sign_in_refuses_bad_bodies_with_400_not_500(client, owner, data, status):
    tenant, _ = owner
    response = client.post("/api/v1/security/login", base_url=tenant.host, data=data,
                           content_type="application/json")
    assert response.status_code == status, response.get_data(as_text=True)[:200]
    assert _messages(response)


def test_the_sign_in_form_refuses_a_nul_byte(client, owner):
    tenant, _ = owner
    response = client.post("/login/", base_url=tenant.host, data={"username": "a\x00b", "password": "x"})
    assert response.status_code == 400


def test_wrong_json_types_are_refused_naming_the_field(client, owner):
    tenant, headers = owner
    body = {"first_name": "A", "last_name": "B", "email": "a@b.example", "country": "DE", "currency": "EUR",
            "language": "en", "tax_exempt": 1}
    refused = client.post("/api/v1/customers/", base_url=tenant.host, headers=headers, json=body)
    assert refused.status_code == 400 and "tax_exempt" in _messages(refused)
    listing = client.get("/api/v1/customers/", base_url=tenant.host, headers=headers).get_json()
    assert listing["count"] == 0


def test_errors_never_carry_sql(client, owner):
    tenant, headers = owner
    huge = {"first_name": "A", "last_name": "B", "email": "a@b.example", "country": "DE", "currency": "EUR",
            "language": "en", "company": "x" * 100000}
    response = client.post("/api/v1/customers/", base_url=tenant.host, headers=headers, json=huge)
    assert 400 <= response.status_code < 500
    text = json.dumps(response.get_json()).lower()
    assert "insert" not in text and "sql" not in text and "constraint" not in text and "%(" not in text
