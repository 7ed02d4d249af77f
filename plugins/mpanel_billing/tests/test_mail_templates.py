"""Tenant-edited mail texts: chosen by kind and the customer's language, checked in
the sandbox before they are saved, and never seen by another tenant."""

from mpanel_billing.models import MailTemplate
from sqlalchemy import func, select

from mpanel.testing.pytest_plugin import csrf_token


def add_template(billing, kind, language, subject, body):
    billing.run(lambda s: s.add(MailTemplate(kind=kind, language=language, subject=subject, body=body)))


def test_the_tenants_text_in_the_customers_language_replaces_the_built_in_one(make_billing, smtp):
    acme, other = make_billing(), make_billing()
    add_template(acme, "invoice", "de", "Rechnung {{ number }}", "Hallo {{ name }}, bitte zahlen Sie {{ total }}.")
    add_template(acme, "invoice", "", "Your bill {{ number }}", "Hi {{ name }}: {{ total }} by {{ due_date }}.")
    german = acme.invoice(acme.customer(language="de", email="de@example.com"), [("Hosting", "1", "20.00")])
    french = acme.invoice(acme.customer(language="fr", email="fr@example.com"), [("Hosting", "1", "20.00")])
    elsewhere = other.invoice(other.customer(language="de", email="other@example.com"), [("Hosting", "1", "20.00")])
    mails = {m["To"]: m for m in smtp.messages}
    german_number = acme.load(german, lambda i: i.number)
    assert mails["de@example.com"]["Subject"] == f"Rechnung {german_number}"
    assert "bitte zahlen Sie 23,80" in mails["de@example.com"].get_body(("plain",)).get_content()
    assert mails["fr@example.com"]["Subject"] == f"Your bill {acme.load(french, lambda i: i.number)}"
    theirs = mails["other@example.com"]  # the built-in German text, not acme's
    assert other.load(elsewhere, lambda i: i.number) in theirs["Subject"]
    assert "bitte zahlen Sie" not in theirs.get_body(("plain",)).get_content()


def submit(client, billing, data):
    url = "/mailtemplateview/add"
    page = client.get(url, base_url=billing.host)
    assert page.status_code == 200
    return client.post(url, base_url=billing.host, follow_redirects=True,
                       data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))})


def count(billing):
    return billing.run(lambda s: s.scalar(select(func.count()).select_from(MailTemplate)))


def test_the_admin_form_refuses_unsafe_or_broken_templates_and_saves_good_ones(client, billing):
    billing.tenant.web_login(client, billing.tenant.staff("Billing"))
    escape = submit(client, billing, {"kind": "reminder", "language": "", "subject": "Reminder",
                                      "body": "{{ ''.__class__.__mro__[1].__subclasses__() }}"})
    broken = submit(client, billing, {"kind": "reminder", "language": "", "subject": "{% if %}", "body": "x"})
    bad_language = submit(client, billing, {"kind": "reminder", "language": "xx-not", "subject": "R", "body": "x"})
    assert escape.status_code == broken.status_code == bad_language.status_code == 200
    assert "does not render" in escape.get_data(as_text=True)
    assert "does not render" in broken.get_data(as_text=True)
    assert "is not a language code" in bad_language.get_data(as_text=True)
    assert count(billing) == 0
    saved = submit(client, billing, {"kind": "reminder", "language": "DE", "subject": "Erinnerung {{ number }}",
                                     "body": "Noch {{ days }} Tage."})
    assert saved.status_code == 200 and count(billing) == 1
    assert billing.run(lambda s: s.scalars(select(MailTemplate.language)).one()) == "de"


def test_support_staff_cannot_edit_mail_templates(client, billing):
    billing.tenant.web_login(client, billing.tenant.staff("Support"))
    assert client.get("/mailtemplateview/list/", base_url=billing.host).status_code == 200
    assert client.get("/mailtemplateview/add", base_url=billing.host).status_code in (302, 403)


def test_costly_or_crashing_templates_are_form_errors_not_500(client, billing):
    billing.tenant.web_login(client, billing.tenant.staff("Billing"))
    for body in ("{{ range(10**10) | list }}", "{{ 1 / 0 }}", "{{ 'x' * 10**9 }}", "y" * 10_000_000,
                 "{% for i in range(9000000) %}{% endfor %}{% for i in range(9000000) %}{% endfor %}"):
        answer = submit(client, billing, {"kind": "reminder", "language": "", "subject": "Reminder", "body": body})
        assert answer.status_code == 200, body[:40]
        assert "does not render" in answer.get_data(as_text=True), body[:40]
    assert count(billing) == 0
