"""/metrics, /healthz, /readyz and the security headers."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from mpanel.core import counters, outbox

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"



def test_metrics_parse_and_histogram_per_endpoint(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(response.get_data(as_text=True))}
    histogram = families["flask_http_request_duration_seconds"]
    assert histogram.type == "histogram"
    labels = [s.labels for s in histogram.samples]
    assert any(lbl.get("endpoint") == "healthz" and lbl.get("status") == "200" for lbl in labels)
    assert "mpanel_logins" in families


def test_metrics_are_closed_to_the_world(app, client):
    outside = {"REMOTE_ADDR": "192.0.2.10"}
    assert client.get("/metrics", environ_base=outside).status_code == 404
    app.config["METRICS_TOKEN"] = "scrape-token-123"
    try:
        ok = client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer scrape-token-123"})
        assert ok.status_code == 200
        bad = client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer wrong"})
        assert bad.status_code == 404
    finally:
        app.config["METRICS_TOKEN"] = ""


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "redis": "ok"}


def test_readiness_fails_when_the_database_is_down(app_config):
    # A second app in this process would re-initialise FAB's process-wide
    # AppBuilder, so the unreachable-database app runs in its own interpreter.
    script = (
        "import json, sys; from mpanel import create_app; "
        "app = create_app(json.loads(sys.argv[1])); r = app.test_client().get('/readyz'); "
        "print(r.status_code, json.dumps(r.get_json()))"
    )
    config = {**app_config, "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(FIXTURES / "testplugin"), *sys.path])}
    result = subprocess.run([sys.executable, "-c", script, json.dumps(config)], capture_output=True, text=True,
                            timeout=120, check=True, env=env)
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert json.loads(body)["checks"]["database"].startswith("unreachable")


def test_security_headers_on_pages_and_api(client, factory):
    t = factory.tenant()
    for path in ("/login/", "/api/v1/customers/", "/healthz"):
        headers = client.get(path, base_url=t.host).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]
    assert client.get("/login/", base_url=t.host).headers["Cache-Control"] == "no-store"


@outbox.handler("test.metrics")
def _noted(payload):
    return None


def _samples(client) -> dict:
    response = client.get("/metrics")
    assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST  # exactly, one charset
    samples: dict = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[sample.name] = samples.get(sample.name, 0) + sample.value
    return samples


def test_every_metric_of_the_grafana_dashboard_has_samples_after_its_actions(app, client, factory):
    dashboard = json.loads((Path(__file__).parents[2] / "docs" / "grafana-dashboard.json").read_text())
    wanted = {name for panel in dashboard["panels"] for target in panel["targets"]
              for name in re.findall(r"\b(?:mpanel|flask)_\w+", target["expr"])}
    before = _samples(client)
    t = factory.tenant()
    email = t.staff()
    assert t.web_login(client, email).status_code == 302  # a sign-in
    client.get("/logout/", base_url=t.host)
    t.web_login(client, email, password="wrong password")  # a failed one
    factory.commit(lambda s: outbox.enqueue(s, "test.metrics", {}), t.id)  # an outbox message
    factory.commit(lambda s: counters.count(s, "test_events"), t.id)  # a business event
    with app.app_context():
        outbox.sweep.call_local()  # a periodic job run
    after = _samples(client)
    assert {"mpanel_logins_total", "mpanel_outbox_messages_total", "mpanel_job_runs_total"} <= wanted
    grew = {name for name in wanted if after.get(name, 0) > before.get(name, 0)}
    assert grew == wanted, wanted - grew
