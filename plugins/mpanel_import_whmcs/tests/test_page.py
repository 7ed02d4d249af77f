"""The staff page: a tenant Owner starts an import from the Administration menu, the run
goes through Huey (immediate in tests) and its page shows the reconciliation."""

import re

from mpanel.testing.pytest_plugin import csrf_token


def test_owner_starts_an_import_and_reads_its_report(app, client, factory, whmcs):
    from mpanel_billing.testing import Billing

    from mpanel.modules.customers.models import Customer

    shop = Billing(app, factory)
    owner = shop.tenant.staff("Owner")
    base = shop.host
    shop.tenant.web_login(client, owner)
    home = client.get("/", base_url=base, follow_redirects=True)
    assert "/import/whmcs/" in home.get_data(as_text=True)  # in the Administration menu
    page = client.get("/import/whmcs/", base_url=base)
    assert page.status_code == 200
    bad = client.post("/import/whmcs/", base_url=base, data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                             "source": "ftp://nowhere"})
    assert bad.status_code == 400 and "mysql://user:password@host" in bad.get_data(as_text=True)
    started = client.post("/import/whmcs/", base_url=base, data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "source": whmcs.dsn, "dry_run": ""})
    assert started.status_code == 302
    report = client.get(started.headers["Location"], base_url=base).get_data(as_text=True)
    assert re.search(r"Status: <strong>done</strong>", report), report[:2000]
    assert "All totals match." in report and "tblinvoices" in report
    with app.app_context():
        from sqlalchemy import func, select

        from mpanel.core.tenancy import tenant_scope
        from mpanel.extensions import db

        with tenant_scope(shop.id, session=db.session):
            assert db.session.scalar(select(func.count()).select_from(Customer)) == 40
    assert "mysql://root@127.0.0.1:3306/" in client.get("/import/whmcs/", base_url=base).get_data(as_text=True)


def test_support_staff_cannot_open_it(app, client, factory):
    tenant = factory.tenant()
    support = tenant.staff("Support")
    tenant.web_login(client, support)
    page = client.get("/import/whmcs/", base_url=tenant.host)
    assert page.status_code in (302, 403)
