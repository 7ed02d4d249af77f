"""EppRegistrar against the TLS test registry: the contract, end to end, and its errors."""

import datetime as dt
import glob
import tempfile

import pytest
from mpanel_domains.registrar import (
    ContactData,
    DomainNotFound,
    InsufficientFunds,
    InvalidAuthCode,
    NameTaken,
    RegistrarError,
    RegistryUnavailable,
)
from mpanel_registrar_epp import commands
from mpanel_registrar_epp.pem import normalise
from mpanel_registrar_epp.registrar import EppRegistrar
from mpanel_registrar_epp.testing import epp_settings, verbs

JANE = ContactData("Jane", "Doe", "jane@example.com", "+49.301234567", ("Hauptstr. 1",), "Berlin", "10115", "DE",
                   company="Doe GmbH")
JÜRGEN = ContactData("Jürgen", "Müller", "j@example.com", "+49.301234568", ("Straße 1",), "München", "80331", "DE")


def _years(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years)


def test_contract_end_to_end_over_tls(registrar, server):
    server.seed_domain("taken.test", "rival", "rival-Auth1")
    server.seed_domain("theirs.test", "rival", "rival-Auth2")
    assert [(a.name, a.available) for a in registrar.check(["fresh.test", "TAKEN.test"])] == [
        ("fresh.test", True), ("taken.test", False)]

    jane, jurgen = registrar.save_contact(JANE), registrar.save_contact(JÜRGEN)
    assert registrar.save_contact(JANE, jane) == jane  # an update keeps the handle
    roles = {"registrant": jane, "admin": jane, "tech": jurgen, "billing": jane}
    created = registrar.register("fresh.test", 2, ["ns1.example.net"], roles)
    today = dt.date.today()
    assert (created.status, created.expires_at) == ("active", _years(today, 2))

    info = registrar.info("fresh.test")
    assert (info.ours, info.status, info.nameservers, info.locked) == (True, "active", ("ns1.example.net",), False)
    renewed = registrar.renew("fresh.test", info.expires_at, 1)
    assert renewed.expires_at == _years(today, 3)

    registrar.set_lock("fresh.test", True)
    updates = verbs(server).count("update")
    registrar.set_lock("fresh.test", True)  # already locked: nothing sent
    assert registrar.info("fresh.test").locked is True and verbs(server).count("update") == updates

    registrar.update_nameservers("fresh.test", ["ns2.example.net", "ns3.example.net"])
    assert registrar.info("fresh.test").nameservers == ("ns2.example.net", "ns3.example.net")
    assert registrar.get_auth_code("fresh.test")
    registrar.set_contacts("fresh.test", {**roles, "admin": jurgen})
    assert server.registry.domains["fresh.test"].contacts.count(("admin", jurgen)) == 1
    registrar.set_id_protection("fresh.test", True)

    moved = registrar.transfer("theirs.test", "rival-Auth2")
    assert moved.status == "active" and registrar.info("theirs.test").ours
    assert registrar.info("taken.test").ours is False
    assert server.violations == []
    assert not glob.glob(f"{tempfile.gettempdir()}/mpanel-epp-*")  # certificate files are gone


def test_epp_errors_become_typed_registrar_errors(registrar, server):
    server.seed_domain("taken.test", "rival", "rival-Auth1")
    with pytest.raises(NameTaken) as taken:
        registrar.register("taken.test", 1, [], {})
    assert taken.value.code == 2302
    with pytest.raises(InvalidAuthCode):
        registrar.transfer("taken.test", "wrong-Auth1")
    with pytest.raises(DomainNotFound):
        registrar.get_auth_code("missing.test")
    server.fail_next_command(2104)
    with pytest.raises(InsufficientFunds):
        registrar.register("costly.test", 1, [], {})
    server.fail_next_command(2400)
    with pytest.raises(RegistryUnavailable) as failed:
        registrar.check(["a.test"])
    assert failed.value.retryable
    assert server.violations == []


def test_dropped_connection_is_unavailable_and_a_later_retry_succeeds(registrar, server):
    registrar.register("drop.test", 1, [], {})
    expires = registrar.info("drop.test").expires_at
    server.drop_next_connection()
    with pytest.raises(RegistryUnavailable, match="outcome is unknown"):
        registrar.renew("drop.test", expires, 1)
    # The registry did renew before hanging up: the retry starts from what info says.
    current = registrar.info("drop.test").expires_at
    assert current == _years(expires, 1)
    assert registrar.renew("drop.test", current, 1).expires_at == _years(expires, 2)
    assert server.violations == []


def test_settings_problems_are_clear_and_not_retried(app, server):
    good = epp_settings(server)
    with app.app_context():
        for changes, message in (({"host": ""}, "incomplete: host"), ({"port": "seven"}, "must be numbers"),
                                 ({"private_key": "nonsense"}, "cannot be loaded"),
                                 ({"password": "wrong-pw1"}, "2200")):
            registrar = EppRegistrar("registrar_epp", {**good, **changes})
            with pytest.raises(RegistrarError, match=message) as exc:
                registrar.check(["a.test"])
            assert not exc.value.retryable
            registrar.close()


def test_one_line_pem_from_a_settings_field_is_restored(server):
    text = server.pki.client_cert.read_text()
    assert normalise(" ".join(text.split())) == text
    with pytest.raises(ValueError, match="not PEM"):
        normalise("MIIB...")


@pytest.mark.parametrize("xml", [
    commands.domain_update("a.test", cltrid="T-1", add_contacts=[("admin", "MP1")], rem_contacts=[("admin", "MP2")],
                           registrant="MP1"),
    commands.contact_update("MP1", cltrid="T-2", disclose=False),
    commands.contact_update("MP1", cltrid="T-3", email="a@example.com", disclose=True),
])
def test_added_command_options_are_schema_valid(xml):
    from tests.servers.epp.validation import epp_errors

    assert epp_errors(xml) == []
