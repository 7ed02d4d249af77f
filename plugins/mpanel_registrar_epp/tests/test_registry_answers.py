"""Registry answers the client must not take at face value: a name another registrar
holds after "object exists", and malformed responses (typed errors, never AttributeError)."""

import pytest
from mpanel_domains.models import Domain, DomainAction
from mpanel_domains.registrar import RegistryUnavailable
from sqlalchemy import select

from mpanel.core import outbox

from .test_domains_over_epp import _get, _prepare

EPP = b'<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><response>'


def test_a_name_another_registrar_holds_is_a_failed_registration_told_to_customer_and_staff(app, factory, tenant,
                                                                                           server):
    server.seed_domain("held.test", "rival", "rival-Auth9")
    owner = tenant.staff("Owner")
    customer = tenant.customer(email="buyer@example.com")
    domain_id = _prepare(factory, tenant, customer, "held.test")
    assert server.registry.domains["held.test"].cl_id == "rival"

    def check(session):
        domain = session.get(Domain, domain_id)
        action = session.scalars(select(DomainAction).where(DomainAction.domain_id == domain_id)).one()
        assert domain.status != "active" and domain.expires_at is None
        assert action.status == "failed" and "NameTaken" in action.last_error
        mails = session.scalars(select(outbox.OutboxMessage).where(outbox.OutboxMessage.kind == "mail.send")).all()
        told = sorted(m.payload["to"] for m in mails if "held.test" in m.payload["subject"])
        assert told == sorted(["buyer@example.com", owner])

    _get(app, tenant, check)


@pytest.mark.parametrize("answer", [
    EPP + b"<trID><svTRID>T-1</svTRID></trID></response></epp>",  # no <result>
    EPP + b'<result code="abc"><msg>?</msg></result><trID><svTRID>T-2</svTRID></trID></response></epp>',
    EPP + b'<result code="1000"><msg>ok</msg></result><msgQ count="many" id="1"/>'
          b"<trID><svTRID>T-3</svTRID></trID></response></epp>",
])
def test_a_malformed_answer_is_the_contracts_typed_error(registrar, server, answer):
    registrar.check(["warmup.test"])  # logged in
    server.answer_next_with(answer)
    with pytest.raises(RegistryUnavailable):
        registrar.check(["shop.test"])


def test_a_contact_created_by_a_failed_or_rolled_back_attempt_is_reused(registrar, server):
    from .test_registrar import JANE

    first = registrar.save_contact(JANE)  # the attempt that created it was then rolled back
    again = registrar.save_contact(JANE)  # the retry does not know the handle
    assert again == first and 3 <= len(first) <= 16
    assert [c for c in server.registry.contacts] == [first]
    assert server.violations == []
