"""Every operation of ``/api/v1/_openapi`` follows the dialect of ``docs/api.md``."""

import pytest

from mpanel.testing.pytest_plugin import bearer

METHODS = ("get", "post", "put", "patch", "delete")
MONEY = {"amount", "total", "net_total", "tax_total", "price", "setup_fee", "fee", "rate", "cost", "applied",
         "credited", "amount_due", "amount_paid", "recurring_amount", "percent", "fixed", "ending"}
READ_ONLY = ("/api/v1/ledger/", "/api/v1/audit/", "/api/v1/domain-actions/")
# FAB's menu for its own front-end, and the test suite's fixture plugin: not part of the dialect
FAB_OWN = ("/api/v1/menu/", "/api/v1/notes/", "/api/v1/notes/{pk}", "/api/v1/notes/_info")
# The installed plugins (a short list from code); a customer's contacts (accounts' new API,
# not yet on the pager: left to its owner)
NOT_PAGED = ("/api/v1/marketplace/", "/api/v1/client/contacts/")


@pytest.fixture
def spec(client, factory):
    tenant = factory.tenant()
    token = tenant.api_token(client, tenant.staff("Owner"))
    return client.get("/api/v1/_openapi", base_url=tenant.host, headers=bearer(token)).get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item and path.startswith("/api/v1/") and "_openapi" not in path and path not in FAB_OWN:
                yield path, method, item[method]


def test_every_operation_documents_the_error_answers_and_integer_ids(spec):
    error = {"$ref": "#/components/schemas/Error"}
    count = 0
    for path, method, operation in operations(spec):
        count += 1
        expected = {"400", "401", "403", "404"} | ({"409", "415", "422"} if method != "get" else set())
        responses = operation["responses"]
        assert expected <= set(responses), (method, path)
        for status in expected:
            assert responses[status]["content"]["application/json"]["schema"] == error, (method, path, status)
        assert not any(str(status).startswith("5") for status in responses), (method, path)
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["name"] == "pk":
                assert parameter["schema"]["type"] == "integer", (method, path)
    assert count > 50
    assert spec["components"]["schemas"]["Error"]["properties"]["message"]["type"] == "object"


def test_lists_take_the_same_paging_parameters(spec):
    lists = 0
    for path, method, operation in operations(spec):
        if method == "get" and path.endswith("/") and "{" not in path and path not in NOT_PAGED:
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            assert {"page", "page_size", "sort"} <= names and "q" not in names, path
            lists += 1
    assert lists > 20


def test_read_only_resources_advertise_no_writes(spec):
    for path, method, _ in operations(spec):
        if path.startswith(READ_ONLY) and not path.endswith(("/retry", "/resolve")):
            assert method == "get", (method, path)


def test_money_fields_are_strings(spec):
    checked = 0
    for name, schema in spec["components"]["schemas"].items():
        for field, definition in schema.get("properties", {}).items():
            if field in MONEY:
                checked += 1
                assert definition.get("type") in ("string", None) and "number" not in str(definition), (name, field)
    assert checked > 5


# Operations without a request or response schema, each with its reason
NO_REQUEST_SCHEMA = {
    ("post", "/api/v1/bank/statements"): "reads a CAMT.053 XML document (application/xml or multipart), not JSON",
}
NO_RESPONSE_SCHEMA: dict = {}


def _missing_schemas(spec):
    for path, method, operation in operations(spec):
        successes = {status: answer for status, answer in operation["responses"].items() if status.startswith("2")}
        documented = any(content.get("schema") for answer in successes.values()
                         for content in answer.get("content", {}).values())
        if not documented and (method, path) not in NO_RESPONSE_SCHEMA:
            yield "response", method, path
        if method in ("post", "put", "patch") and (method, path) not in NO_REQUEST_SCHEMA:
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if not body.get("schema"):
                yield "request", method, path


def test_every_operation_declares_its_request_and_response_schemas(spec):
    assert set(NO_REQUEST_SCHEMA) <= {(method, path) for path, method, _ in operations(spec)}
    missing = sorted(_missing_schemas(spec), key=lambda m: (m[2], m[1]))
    assert not missing, "\n".join(" ".join(m) for m in missing)


def test_every_token_refusal_is_a_401_in_the_error_shape(app, client, factory):
    import datetime as dt

    from flask_jwt_extended import create_access_token, decode_token

    tenant = factory.tenant()
    token = tenant.api_token(client, tenant.staff("Owner"))
    with app.app_context():
        claims = decode_token(token)
        expired = create_access_token(identity=claims["sub"], expires_delta=dt.timedelta(seconds=-5),
                                      additional_claims={"tid": claims["tid"], "cid": None})
    for headers in ({}, bearer(expired), bearer("not.a.jwt"), {"Authorization": "Bearer"},
                    {"Authorization": "Basic eDp5"}):
        answer = client.get("/api/v1/invoices/", base_url=tenant.host, headers=headers)
        assert answer.status_code == 401, headers
        message = answer.get_json()["message"]
        assert set(message) == {"request"} and all(isinstance(t, str) for t in message["request"]), headers
