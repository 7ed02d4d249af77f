"""Restore from redemption (RFC 3915) over EPP: the registrar call, and the queue's restore action."""

import datetime as dt

import pytest
from mpanel_domains import actions, sync
from mpanel_domains.lookup import get_registrar
from mpanel_domains.models import Domain, DomainAction
from mpanel_domains.registrar import RegistrarError
from mpanel_registrar_epp.testing import verbs
from sqlalchemy import select

from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db

from .test_domains_over_epp import _prepare


def test_restore_request_takes_a_name_out_of_redemption(registrar, server):
    domain = server.seed_domain("lapsed.test", "mpanel", "Lapsed-Auth9")
    server.set_rgp("lapsed.test", "redemptionPeriod")
    assert registrar.info("lapsed.test").status == "redemption"
    with pytest.raises(RegistrarError):
        registrar.renew("lapsed.test", domain.ex_date.date(), 1)
    state = registrar.restore("lapsed.test")
    assert state.status == "active" and domain.rgp_status is None
    assert registrar.renew("lapsed.test", state.expires_at, 1).expires_at == state.expires_at.replace(
        year=state.expires_at.year + 1)
    assert "update" in verbs(server)
    assert server.violations == []  # the restore command is valid EPP (its rgp extension aside)


def test_restore_of_a_name_not_in_redemption_is_refused(registrar, server):
    server.seed_domain("fine.test", "mpanel", "Fine-Auth9")
    with pytest.raises(RegistrarError):
        registrar.restore("fine.test")
    server.seed_domain("theirs.test", "rival", "Rival-Auth9")
    server.set_rgp("theirs.test", "redemptionPeriod")
    with pytest.raises(RegistrarError):
        registrar.restore("theirs.test")
    assert server.registry.domains["theirs.test"].rgp_status == "redemptionPeriod"


def test_restore_action_restores_then_renews_to_the_paid_date(app, factory, tenant, server):
    domain_id = _prepare(factory, tenant, tenant.customer(), "comeback.test")
    server.set_rgp("comeback.test", "redemptionPeriod")
    with app.app_context(), tenant_scope(tenant.id):
        domain = db.session.get(Domain, domain_id)
        with get_registrar(db.session, "registrar_epp") as registrar:
            sync.apply_state(domain, registrar.info(domain.name))
        assert domain.status == "redemption"
        expires = domain.expires_at
        actions.request_restore(db.session, domain, 1, reference="restore-1")
        db.session.commit()
    with app.app_context(), tenant_scope(tenant.id):
        domain = db.session.get(Domain, domain_id)
        action = db.session.scalar(select(DomainAction).where(DomainAction.action == "restore"))
        assert (action.status, domain.status) == ("done", "active")
        assert domain.expires_at == expires.replace(year=expires.year + 1) > dt.date.today()
    assert server.registry.domains["comeback.test"].rgp_status is None
    assert server.violations == []
