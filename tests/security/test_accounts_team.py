"""Staff management by a tenant's Owners and Admins: invitations with a
single-use link, roles, deactivation, second-factor reset (audited), the last
Owner kept; and the role rules no form can break (FAB's user form included)."""

import re

import pytest
from sqlalchemy import select

from mpanel.testing.accounts import PLATFORM, link_in, operator_login
from mpanel.testing.pytest_plugin import PASSWORD, csrf_token
from mpanel.testing.security import audit_actions, enable_totp

NEW = "a fresh staff passphrase"


def _post(client, tenant, path, **data):
    page = client.get("/staff/team/", base_url=tenant.host)
    return client.post(path, base_url=tenant.host, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))})


def _user(app, tenant, email):
    from mpanel.core.security.models import MPanelUser
    from mpanel.extensions import db

    with app.app_context(), tenant.scope():
        user = db.session.scalar(select(MPanelUser).where(MPanelUser.email == email))
        return user and (user.id, user.active, sorted(r.name for r in user.roles))


def test_owner_invites_support_who_sets_a_password_once(app, client, tenant, smtp):
    tenant.web_login(client, tenant.staff("Owner"))
    response = _post(client, tenant, "/staff/team/invite", email="Sue@Example.com", first_name="Sue",
                     last_name="Port", role="Support")
    assert response.status_code == 302
    [message] = smtp.to("sue@example.com")
    link = link_in(message, "invitation")
    invitee = app.test_client()
    page = invitee.get(link)
    weak = invitee.post(link, data={"password": "short", "confirm": "short",
                                    "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert weak.status_code == 200 and "at least 12" in weak.get_data(as_text=True)
    done = invitee.post(link, data={"password": NEW, "confirm": NEW,
                                    "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert done.status_code == 302
    assert invitee.get(link).status_code == 400  # used up
    assert tenant.web_login(invitee, "sue@example.com", NEW).headers["Location"] == "/staff/"
    assert invitee.get("/staff/team/", base_url=tenant.host).status_code == 404  # Support manages nobody
    assert "invitation_accepted" in audit_actions(app, tenant.id)
    listing = client.get("/staff/team/", base_url=tenant.host).get_data(as_text=True)
    row = listing[listing.index('data-email="sue@example.com"'):]
    assert re.search(r'class="last-login">\d{4}-\d\d-\d\d', row)


def test_roles_deactivation_and_the_last_owner(app, client, tenant):
    owner = tenant.staff("Owner")
    admin = tenant.staff("Admin")
    billing = tenant.staff("Billing")
    tenant.web_login(client, admin)
    owner_id = _user(app, tenant, owner)[0]
    billing_id = _user(app, tenant, billing)[0]
    # An Admin changes non-owners only.
    assert _post(client, tenant, f"/staff/team/{billing_id}/role", role="Read-only").status_code == 302
    assert _user(app, tenant, billing)[2] == ["Read-only"]
    assert _post(client, tenant, f"/staff/team/{billing_id}/role", role="Owner").status_code == 303
    assert _post(client, tenant, f"/staff/team/{owner_id}/active", active="0").status_code == 303
    assert _user(app, tenant, owner)[1] is True
    # The only Owner cannot step down or be deactivated, even by themselves.
    owner_browser = app.test_client()
    tenant.web_login(owner_browser, owner)
    assert _post(owner_browser, tenant, f"/staff/team/{owner_id}/role", role="Admin").status_code == 303
    assert _post(owner_browser, tenant, f"/staff/team/{owner_id}/active", active="0").status_code == 303
    assert _user(app, tenant, owner)[1:] == (True, ["Owner"])
    # Deactivated staff cannot sign in; reactivated they can.
    assert _post(owner_browser, tenant, f"/staff/team/{billing_id}/active", active="0").status_code == 302
    assert tenant.web_login(app.test_client(), billing).headers["Location"].startswith("/login/")
    assert _post(owner_browser, tenant, f"/staff/team/{billing_id}/active", active="1").status_code == 302
    assert tenant.web_login(app.test_client(), billing).headers["Location"] == "/staff/"


def test_reset_of_a_second_factor_is_audited(app, client, tenant, smtp):
    tenant.web_login(client, tenant.staff("Owner"))
    support = tenant.staff("Support")
    enable_totp(app, tenant.id, support)
    support_id = _user(app, tenant, support)[0]
    assert _post(client, tenant, f"/staff/team/{support_id}/reset-2fa").status_code == 302
    assert "mfa_reset" in audit_actions(app, tenant.id)
    assert smtp.to(support)
    assert tenant.web_login(app.test_client(), support).headers["Location"] == "/staff/"  # password alone


def test_other_tenants_staff_are_not_found(app, client, factory, tenant):
    other = factory.tenant()
    stranger_id = _user(app, other, other.staff("Support"))[0]
    tenant.web_login(client, tenant.staff("Owner"))
    for path in (f"/staff/team/{stranger_id}/role", f"/staff/team/{stranger_id}/active",
                 f"/staff/team/{stranger_id}/reset-2fa"):
        assert _post(client, tenant, path, role="Admin", active="0").status_code == 404
    assert _user(app, other, other.staff("Owner"))


def test_no_tenant_role_without_a_tenant_through_the_fab_user_form(app, client, clock):
    operator_login(app, client, clock)
    with app.app_context():
        owner_role = app.appbuilder.sm.find_role("Owner").id
    form = client.get("/users/add", base_url=PLATFORM)
    assert form.status_code == 200
    response = client.post("/users/add", base_url=PLATFORM, data={
        "first_name": "No", "last_name": "Tenant", "username": "owner-without@example.com",
        "email": "owner-without@example.com", "active": "y", "roles": str(owner_role),
        "password": PASSWORD, "conf_password": PASSWORD, "csrf_token": csrf_token(form.get_data(as_text=True))},
        follow_redirects=True)
    assert "tenant roles need a tenant" in response.get_data(as_text=True)
    assert _platform_user(app, "owner-without@example.com") is None


def test_no_command_or_helper_stores_mixed_roles(app, tenant):
    from mpanel.core.security.role_rules import RoleRuleError
    from mpanel.core.security.users import UserError, create_user
    from mpanel.core.tenancy import tenant_scope
    from mpanel.extensions import db

    with app.app_context(), tenant_scope(tenant.id, session=db.session):
        with pytest.raises(UserError):
            create_user("op-inside@example.com", PASSWORD, "Operator")
        user = create_user("staff-x@example.com", PASSWORD, "Support")
        user.roles.append(app.appbuilder.sm.find_role("Operator"))
        with pytest.raises(RoleRuleError):
            db.session.flush()
        db.session.rollback()
    with app.app_context(), tenant_scope(None, session=db.session):
        with pytest.raises(UserError):
            create_user("owner-x@example.com", PASSWORD, "Owner")


def _platform_user(app, email):
    from mpanel.core.security.models import MPanelUser
    from mpanel.core.tenancy import tenant_scope
    from mpanel.extensions import db

    with app.app_context(), tenant_scope(None, session=db.session):
        return db.session.scalar(select(MPanelUser.id).where(MPanelUser.username == email))
