"""Tickets are tenant- and customer-scoped: another tenant's or customer's rows are invisible."""

from mpanel_support.models import Department, Ticket, TicketMessage
from sqlalchemy import select

from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db


def _ticket(factory, tenant, customer_id):
    def add(session):
        department = Department(name="Help", visibility="customers")
        ticket = Ticket(customer_id=customer_id, department=department, subject="Broken", status="open",
                        priority="medium", tags=[])
        session.add_all([department, ticket, TicketMessage(ticket=ticket, body="<p>help</p>")])
        session.flush()
        return ticket.id

    return factory.commit(add, tenant.id)


def test_another_tenants_ticket_and_messages_are_invisible(app, factory):
    a, b = factory.tenant(), factory.tenant()
    ticket_a = _ticket(factory, a, a.customer())
    _ticket(factory, b, b.customer())
    with app.app_context(), tenant_scope(b.id):
        assert db.session.get(Ticket, ticket_a) is None
        assert ticket_a not in db.session.scalars(select(Ticket.id)).all()
        assert all(m.ticket_id != ticket_a for m in db.session.scalars(select(TicketMessage)))
    with app.app_context(), tenant_scope(a.id):
        assert db.session.get(Ticket, ticket_a).subject == "Broken"


def test_the_runtime_role_sees_no_other_tenants_tickets(factory, runtime_connection):
    a, b = factory.tenant(), factory.tenant()
    ticket_a = _ticket(factory, a, a.customer())
    with runtime_connection.transaction():
        runtime_connection.execute("SELECT set_config('mpanel.tenant_id', %s, true)", (str(b.id),))
        for table in ("support_tickets", "support_messages", "support_departments"):
            column = "id" if table == "support_tickets" else "tenant_id"
            wanted = ticket_a if table == "support_tickets" else a.id
            rows = runtime_connection.execute(f"SELECT 1 FROM {table} WHERE {column} = %s", (wanted,)).fetchall()
            assert rows == []
