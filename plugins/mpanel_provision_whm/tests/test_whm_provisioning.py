"""Paid, overdue and terminated services drive accounts on a local WHM test server
(tests/servers/whm.py) through the provisioning plugin's queue."""

import datetime as dt

import pytest
from mpanel_billing import ledger, run
from mpanel_billing.models import Invoice
from mpanel_billing.services.models import Service
from mpanel_billing.testing import DAY, D, smtp  # noqa: F401  (fixture)
from mpanel_billing.testing import order as place_order
from mpanel_catalog.models import Price, Product, ProductGroup
from sqlalchemy import select, text, update

from mpanel.core.outbox import OutboxMessage, process_pending
from tests.servers.whm import WhmServer


@pytest.fixture
def whm():
    server = WhmServer().start()
    yield server
    server.stop()


@pytest.fixture
def hosting(billing, whm):
    """The billing shop with a WHM server group and a cPanel plan on it; -> product id."""
    from mpanel_provisioning.models import Server, ServerGroup

    def make(session):
        group = ServerGroup(name="cPanel", module="whm", fill_strategy="least_full")
        session.add(group)
        session.flush()
        server = Server(group_id=group.id, name="web1", host="127.0.0.1", port=whm.port, secure=False,
                        verify_tls=False, username=whm.user, max_accounts=10, position=0, active=True)
        server.secret = whm.token
        session.add(server)
        products = ProductGroup(name="Hosting", slug="hosting")
        session.add(products)
        session.flush()
        plan = Product(group_id=products.id, type="shared_hosting", name="Web Pro", allow_multiple=True,
                       provisioning_module="whm", provisioning_settings={"package": "pro", "server_group": "cPanel"})
        session.add(plan)
        session.flush()
        session.add(Price(product_id=plan.id, currency="EUR", cycle="monthly", price=D("10.00"), setup_fee=D(0)))
        return plan.id

    return billing.run(make)


def actions(billing, service_id):
    from mpanel_provisioning.models import ProvisioningAction

    return billing.run(lambda s: [(a.action, a.status) for a in s.scalars(
        select(ProvisioningAction).where(ProvisioningAction.service_id == service_id)
        .order_by(ProvisioningAction.id))])


def due_now(billing):
    """Make every waiting outbox message due and run them (the sweep, without the clock)."""
    def sweep(session):
        session.execute(update(OutboxMessage).where(OutboxMessage.status == "pending")
                        .values(next_attempt_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        session.commit()
        return process_pending(session)

    return billing.run(sweep)


def test_paid_order_creates_the_account_once_and_mails_the_login(billing, hosting, whm, smtp):  # noqa: F811
    customer = billing.customer(email="jane@example.com")
    service_id = place_order(billing, customer, hosting)
    assert actions(billing, service_id) == [("create", "done")]
    [account] = whm.accounts.values()
    assert account["plan"] == "pro" and account["email"] == "jane@example.com"
    # The task runs again (a redelivered message): no second account, nothing new asked of WHM.
    from mpanel_provisioning.models import ProvisioningAction
    from mpanel_provisioning.runner import run_action

    action_id = billing.run(lambda s: s.scalar(select(ProvisioningAction.id)))
    billing.run(lambda s: run_action({"action_id": action_id}))
    assert whm.count("createacct") == 1 and len(whm.accounts) == 1
    welcome = [m for m in smtp.messages if m["To"] == "jane@example.com" and "ready" in m["Subject"]]
    assert len(welcome) == 1
    body = welcome[0].get_content()
    assert f"Username: {account['user']}" in body and f"Password: {account['password']}" in body


def test_a_retried_create_adopts_the_account_the_panel_already_has(billing, hosting, whm):
    from mpanel_provisioning.models import ProvisioningAction, ServiceAccount
    from mpanel_provisioning.runner import run_action

    whm.down = True
    service_id = place_order(billing, billing.customer(email="adopt@example.com"), hosting)
    whm.down = False
    username = billing.run(lambda s: s.scalar(select(ServiceAccount.username)))
    whm.createacct(username, "adopt.example")  # the lost call's account
    action_id = billing.run(lambda s: s.scalar(select(ProvisioningAction.id)))
    billing.run(lambda s: run_action({"action_id": action_id}))
    assert actions(billing, service_id) == [("create", "done")]
    assert whm.count("createacct") == 0 and list(whm.accounts) == [username]
    assert billing.run(lambda s: s.scalar(select(ProvisioningAction.message))).startswith("adopted")


def test_overdue_suspends_payment_unsuspends_termination_removes(billing, hosting, whm):
    service_id = place_order(billing, billing.customer(), hosting, on=DAY)
    [username] = whm.accounts
    billing.run(lambda s: run.run(s, now=dt.datetime.combine(DAY + dt.timedelta(days=31), dt.time(12),
                                                             dt.UTC)))
    billing.run(lambda s: run.run(s, now=dt.datetime.combine(DAY + dt.timedelta(days=31 + 8), dt.time(12),
                                                             dt.UTC)))
    assert billing.run(lambda s: s.get(Service, service_id).status) == "suspended"
    assert whm.accounts[username]["suspended"] == 1
    invoice_id = billing.run(lambda s: s.scalar(select(Invoice.id).order_by(Invoice.id.desc()).limit(1)))
    billing.run(lambda s: ledger.record_payment(s, s.get(Invoice, invoice_id), s.get(Invoice, invoice_id).amount_due,
                                                "EUR", "bank", "late"))
    assert whm.accounts[username]["suspended"] == 0
    from mpanel_billing.services import lifecycle

    billing.run(lambda s: lifecycle.transition(s, s.get(Service, service_id), "terminated", reason="test"))
    assert username not in whm.accounts
    assert [a for a, _ in actions(billing, service_id)] == ["create", "suspend", "unsuspend", "terminate"]
    assert {status for _, status in actions(billing, service_id)} == {"done"}


def test_panel_down_billing_completes_then_retries_and_fails_for_staff(billing, hosting, whm):
    from mpanel_provisioning import actions as queue
    from mpanel_provisioning.models import ProvisioningAction

    whm.down = True
    service_id = place_order(billing, billing.customer(), hosting)
    assert billing.run(lambda s: s.get(Service, service_id).status) == "active"  # billing did not wait
    assert actions(billing, service_id) == [("create", "queued")]
    for _ in range(10):
        due_now(billing)
    assert actions(billing, service_id) == [("create", "failed")]
    attempts, message = billing.run(lambda s: s.execute(select(ProvisioningAction.attempts,
                                                               ProvisioningAction.message)).one())
    assert attempts == 8 and "did not answer" in message
    assert not whm.accounts
    # Staff retry once the panel is back: created, once.
    whm.down = False
    billing.run(lambda s: queue.retry(s, s.scalar(select(ProvisioningAction))))
    assert actions(billing, service_id) == [("create", "done")] and len(whm.accounts) == 1


def test_a_refused_token_fails_at_once(billing, hosting, whm):
    whm.token = "WRONG"
    service_id = place_order(billing, billing.customer(), hosting)
    assert actions(billing, service_id) == [("create", "failed")]


def test_servers_and_accounts_are_invisible_to_another_tenant(billing, hosting, whm, make_billing):
    from mpanel_provisioning.models import ProvisioningAction, Server, ServiceAccount

    place_order(billing, billing.customer(), hosting)
    other = make_billing()
    for model in (Server, ServiceAccount, ProvisioningAction):
        assert other.run(lambda s, m=model: s.scalars(select(m)).all()) == []
        table = model.__tablename__
        assert other.run(lambda s, t=table: s.execute(text(f"SELECT count(*) FROM {t}")).scalar()) == 0
    server_id = billing.run(lambda s: s.scalar(select(Server.id)))
    updated = other.run(lambda s: s.execute(text("UPDATE provisioning_servers SET host = 'evil' WHERE id = :i"),
                                            {"i": server_id}).rowcount)
    assert updated == 0
    with pytest.raises(Exception, match="row-level security"):
        other.run(lambda s: s.execute(text(
            "INSERT INTO provisioning_server_groups (tenant_id, name, module, fill_strategy) "
            "VALUES (:t, 'x', 'whm', 'in_order')"), {"t": billing.id}))


def test_client_service_page_shows_the_account_and_logs_in_to_the_panel(client, billing, hosting, whm):
    customer = billing.customer()
    service_id = place_order(billing, customer, hosting)
    [username] = whm.accounts
    billing.tenant.web_login(client, billing.tenant.contact(customer))
    page = client.get(f"/client/billing/services/{service_id}", base_url=billing.host).get_data(as_text=True)
    assert f'id="provisioning-username">{username}<' in page and 'id="provisioning-status">active<' in page
    assert f'href="/client/provisioning/services/{service_id}/login"' in page
    login = client.get(f"/client/provisioning/services/{service_id}/login", base_url=billing.host)
    assert login.status_code == 302 and f"/login/?session={username}%3A" in login.location.replace(":", "%3A")
    assert whm.count("create_user_session") == 1
    other = place_order(billing, billing.customer(), hosting)
    assert client.get(f"/client/provisioning/services/{other}/login", base_url=billing.host).status_code == 404


def _test_connection(client, billing, page, server_id):
    """The list's "Test connection" action, as the page posts it."""
    from mpanel.testing.pytest_plugin import csrf_token

    client.post("/serverview/action_post", base_url=billing.host,
                data={"action": "test_connection", "rowid": server_id, "csrf_token": csrf_token(page)})


def test_staff_list_servers_and_test_the_connection(client, billing, hosting, whm):
    from mpanel_provisioning.models import Server

    billing.tenant.web_login(client, billing.tenant.staff())
    listing = client.get("/serverview/list/", base_url=billing.host).get_data(as_text=True)
    assert "web1" in listing and whm.token not in listing
    server_id = billing.run(lambda s: s.scalar(select(Server.id)))
    _test_connection(client, billing, listing, server_id)
    assert billing.run(lambda s: s.get(Server, server_id).last_test_result) == "WHM answered: 2 package(s)"
    whm.token = "ROTATED"
    _test_connection(client, billing, listing, server_id)
    assert billing.run(lambda s: s.get(Server, server_id).last_test_result).startswith("failed: WHM refused")
