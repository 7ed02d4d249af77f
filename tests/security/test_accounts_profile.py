"""The client-area profile: the owner edits the customer (VAT id checked,
phone stored in E.164, language), an e-mail change waits for the new
address's link and is refused when the address is in use."""

import re

from sqlalchemy import select

from mpanel.testing.accounts import link_in
from mpanel.testing.pytest_plugin import PASSWORD, csrf_token

FIELDS = {"first_name": "Petra", "last_name": "Profil", "company": "Profil AG", "vat_id": "", "address1": "Weg 1",
          "address2": "", "postcode": "10115", "city": "Berlin", "region": "", "country": "DE", "phone": "",
          "language": "fr"}


def _owner(app, tenant):
    from mpanel.core.security.models import MPanelUser
    from mpanel.extensions import db

    customer_id = tenant.customer()
    email = tenant.contact(customer_id)
    with app.app_context(), tenant.scope():
        db.session.scalar(select(MPanelUser).where(MPanelUser.email == email)).contact_owner = True
        db.session.commit()
    return customer_id, email


def _customer(app, tenant, customer_id):
    from mpanel.extensions import db
    from mpanel.modules.customers.models import Customer

    with app.app_context(), tenant.scope():
        customer = db.session.get(Customer, customer_id)
        db.session.expunge(customer)
        return customer


def _save(client, tenant, **fields):
    page = client.get("/client/profile/", base_url=tenant.host)
    return client.post("/client/profile/", base_url=tenant.host,
                       data={**FIELDS, **fields, "csrf_token": csrf_token(page.get_data(as_text=True))})


def test_owner_edits_the_customer_and_phones_are_stored_in_e164(app, client, tenant):
    customer_id, email = _owner(app, tenant)
    tenant.web_login(client, email)
    bad = _save(client, tenant, vat_id="DE000", phone="12")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "not a valid VAT" in html and "not a phone number" in html
    assert _customer(app, tenant, customer_id).company is None  # nothing saved
    assert _save(client, tenant, vat_id="DE 136 695 976", phone="030 1234567").status_code == 302
    customer = _customer(app, tenant, customer_id)
    assert (customer.vat_id, customer.phone, customer.language, customer.company) == \
        ("DE136695976", "+49301234567", "fr", "Profil AG")
    assert _save(client, tenant, phone="+49 30 1234567").status_code == 302
    assert _customer(app, tenant, customer_id).phone == "+49301234567"


def test_a_contact_who_is_not_the_owner_cannot_edit_the_customer(client, tenant):
    tenant.web_login(client, tenant.contact(tenant.customer()))
    assert _save(client, tenant).status_code == 403


def test_email_change_waits_for_the_new_address_and_refuses_one_in_use(app, client, tenant, smtp):
    customer_id, email = _owner(app, tenant)
    taken = tenant.staff("Billing")
    tenant.web_login(client, email)
    page = client.get("/client/profile/", base_url=tenant.host).get_data(as_text=True)
    token = csrf_token(page)
    in_use = client.post("/client/profile/email", base_url=tenant.host,
                         data={"email": taken, "password": PASSWORD, "csrf_token": token})
    assert in_use.status_code == 409 and "in use" in in_use.get_data(as_text=True)
    wrong = client.post("/client/profile/email", base_url=tenant.host,
                        data={"email": "new@example.com", "password": "not it at all", "csrf_token": token})
    assert wrong.status_code == 400
    asked = client.post("/client/profile/email", base_url=tenant.host,
                        data={"email": "New@Example.com", "password": PASSWORD, "csrf_token": token})
    assert asked.status_code == 302
    assert smtp.to(email) and _customer(app, tenant, customer_id).email != "new@example.com"
    link = link_in(smtp.to("new@example.com")[0], r"client/profile/email")
    form = client.get(link)
    done = client.post(link, data={"csrf_token": csrf_token(form.get_data(as_text=True))})
    assert done.status_code == 302
    assert _customer(app, tenant, customer_id).email == "new@example.com"
    assert tenant.web_login(app.test_client(), "new@example.com").headers["Location"] == "/client/"
    again = client.post(link, data={"csrf_token": csrf_token(form.get_data(as_text=True))})
    assert again.status_code == 400
    assert re.search(r'id="current-email">new@example.com<', client.get("/client/profile/",
                                                                          base_url=tenant.host).get_data(True))


def test_registries_get_cc_dot_number_from_any_spelling():
    from mpanel_domains.contacts import check_phone as registry_check

    from mpanel.modules.customers.validation import registry_phone

    for spelling in ("+49 30 1234567", "+49301234567", "+49.301234567", "+49 (30) 123-4567"):
        assert registry_check(spelling) == registry_phone(spelling) == "+49.301234567"
    assert registry_phone("030 1234567", "DE") == "+49.301234567"
