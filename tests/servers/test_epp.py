"""EPP client (plugins/mpanel_registrar_epp) against the local TLS test registry."""

import dataclasses
import socket
from datetime import date, timedelta

import pytest
from mpanel_registrar_epp import (
    AuthenticationError,
    AuthorizationError,
    BillingFailure,
    CommandFailed,
    ConnectionLost,
    ContactData,
    EppClient,
    EppError,
    ObjectDoesNotExist,
    ObjectExists,
    ParameterPolicyError,
    PostalInfo,
    ProtocolError,
    StatusProhibitsOperation,
    commands,
    namespaces,
)
from mpanel_registrar_epp.errors import error_for
from mpanel_registrar_epp.framing import encode_frame, read_frame, write_frame

from .epp import DEFAULT_REGISTRARS, EppTestServer
from .epp.pki import CLIENT_COMMON_NAME
from .epp.validation import epp_errors

ADDRESS = PostalInfo("Jane Doe", "Berlin", "DE", ("Hauptstr. 1",), org="MPanel GmbH", pc="10115")
CONTACT = ContactData("mp-c1", (ADDRESS,), "jane@example.com", "cont-Auth1", voice="+49.301234567")


# -- framing --------------------------------------------------------------------------


class TrickleSocket:
    """Hands out its bytes a few at a time, like a slow network."""

    def __init__(self, data: bytes, chunk: int = 3):
        self.data, self.chunk = data, chunk

    def recv(self, size: int) -> bytes:
        piece, self.data = self.data[: min(size, self.chunk)], self.data[min(size, self.chunk):]
        return piece


def test_frame_header_counts_itself():
    assert encode_frame(b"<epp/>") == (10).to_bytes(4, "big") + b"<epp/>"


def test_framing_round_trip_survives_short_reads():
    payloads = [b"<epp/>", "<x>\u00fc</x>".encode(), b"y" * 1000]
    sock = TrickleSocket(b"".join(encode_frame(p) for p in payloads))
    assert [read_frame(sock) for _ in payloads] == payloads
    assert sock.data == b""


def test_framing_round_trip_over_a_socket_pair():
    left, right = socket.socketpair()
    with left, right:
        write_frame(left, b"<epp>hello</epp>")
        assert read_frame(right) == b"<epp>hello</epp>"


def test_framing_truncated_stream_means_connection_lost():
    with pytest.raises(ConnectionLost):
        read_frame(TrickleSocket(encode_frame(b"<epp/>")[:-2]))


def test_framing_refuses_oversize_and_nonsense_lengths_without_reading_on():
    sock = TrickleSocket((10_000).to_bytes(4, "big") + b"x" * 10)
    with pytest.raises(ProtocolError, match="exceeds"):
        read_frame(sock, max_size=1000)
    assert sock.data == b"x" * 10
    with pytest.raises(ProtocolError, match="invalid frame length"):
        read_frame(TrickleSocket((3).to_bytes(4, "big")))


# -- builders and errors --------------------------------------------------------------

BUILDERS = {
    "hello": lambda: commands.hello(),
    "login": lambda: commands.login("mpanel", "mpanel-pw1", cltrid="T-1"),
    "login-new-password-rgp": lambda: commands.login(
        "mpanel", "mpanel-pw1", cltrid="T-2", new_password="fresh-pw1", ext_uris=[namespaces.RGP]),
    "logout": lambda: commands.logout(cltrid="T-3"),
    "poll-req": lambda: commands.poll_request(cltrid="T-4"),
    "poll-ack": lambda: commands.poll_ack("17", cltrid="T-5"),
    "domain-check": lambda: commands.domain_check(["a.test", "b.test", "c.test"], cltrid="T-6"),
    "domain-info": lambda: commands.domain_info("a.test", cltrid="T-7"),
    "domain-info-auth": lambda: commands.domain_info("a.test", cltrid="T-8", auth_info="dom-Auth1"),
    "domain-create-minimal": lambda: commands.domain_create("a.test", cltrid="T-9", auth_info="dom-Auth1"),
    "domain-create-full": lambda: commands.domain_create(
        "a.test", cltrid="T-10", auth_info="dom-Auth1", period=10,
        nameservers=["ns1.example.net", "ns2.example.net"], registrant="mp-c1",
        contacts={"admin": "mp-c1", "tech": "mp-c2", "billing": "mp-c3"}),
    "domain-renew": lambda: commands.domain_renew(
        "a.test", date(2030, 2, 28), cltrid="T-11", period=2),
    "domain-transfer-request": lambda: commands.domain_transfer(
        "a.test", "request", cltrid="T-12", auth_info="dom-Auth1", period=1),
    "domain-transfer-query": lambda: commands.domain_transfer("a.test", "query", cltrid="T-13"),
    "domain-update-ns": lambda: commands.domain_update(
        "a.test", cltrid="T-14", add_ns=["ns3.example.net"], rem_ns=["ns1.example.net"]),
    "domain-update-lock": lambda: commands.domain_update(
        "a.test", cltrid="T-15", add_statuses=["clientTransferProhibited"]),
    "domain-update-everything": lambda: commands.domain_update(
        "a.test", cltrid="T-16", add_ns=["ns3.example.net"], rem_ns=["ns1.example.net"],
        add_statuses=["clientHold"], rem_statuses=["clientTransferProhibited"], registrant="mp-c2",
        auth_info="new-Auth1"),
    "host-check": lambda: commands.host_check(["ns1.example.net", "ns2.example.net"], cltrid="T-17"),
    "host-create": lambda: commands.host_create("ns1.example.net", cltrid="T-18"),
    "host-create-addresses": lambda: commands.host_create(
        "ns1.a.test", cltrid="T-19", addrs=["192.0.2.1", "2001:db8::53"]),
    "host-info": lambda: commands.host_info("ns1.example.net", cltrid="T-20"),
    "contact-check": lambda: commands.contact_check(["mp-c1", "mp-c2"], cltrid="T-21"),
    "contact-create": lambda: commands.contact_create(CONTACT, cltrid="T-22"),
    "contact-create-int-loc": lambda: commands.contact_create(dataclasses.replace(
        CONTACT, postal_info=(ADDRESS, dataclasses.replace(ADDRESS, type="loc", street=("Straße 1", "Hof", "3. OG"))),
        fax="+49.301234568"), cltrid="T-23"),
    "contact-info": lambda: commands.contact_info("mp-c1", cltrid="T-24", auth_info="cont-Auth1"),
    "contact-update": lambda: commands.contact_update(
        "mp-c1", cltrid="T-25", postal_info=[ADDRESS], voice="+49.309999999", email="new@example.com",
        auth_info="cont-Auth2", add_statuses=["clientDeleteProhibited"], rem_statuses=["clientUpdateProhibited"]),
    "contact-update-email": lambda: commands.contact_update("mp-c1", cltrid="T-26", email="x@example.com"),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_command_builder_output_is_schema_valid(name):
    assert epp_errors(BUILDERS[name]()) == []


def test_validator_does_reject_a_broken_command():
    broken = BUILDERS["domain-create-minimal"]().replace(b'unit="y"', b'unit="d"')
    assert any("unit" in error for error in epp_errors(broken))


def test_builders_refuse_what_cannot_be_valid():
    with pytest.raises(ValueError, match="period"):
        commands.domain_create("a.test", cltrid="T-1", auth_info="dom-Auth1", period=100)
    with pytest.raises(ValueError, match="at least one change"):
        commands.domain_update("a.test", cltrid="T-2")
    with pytest.raises(ValueError, match="at least one change"):
        commands.contact_update("mp-c1", cltrid="T-3")


@pytest.mark.parametrize(("code", "error"), [
    (2104, BillingFailure), (2200, AuthenticationError), (2201, AuthorizationError), (2302, ObjectExists),
    (2303, ObjectDoesNotExist), (2304, StatusProhibitsOperation), (2306, ParameterPolicyError),
    (2400, CommandFailed), (2500, ConnectionLost), (2501, ConnectionLost), (2502, ConnectionLost),
])
def test_result_codes_map_to_typed_errors(code, error):
    exc = error_for(code, "message")
    assert type(exc) is error and (exc.code, exc.message) == (code, "message")


def test_unmapped_error_codes_use_the_base_class():
    assert type(error_for(2005, "Parameter value syntax error")) is EppError


# -- against the test registry ----------------------------------------------------------


@pytest.fixture
def server():
    with EppTestServer() as srv:
        yield srv


@pytest.fixture
def make_client(server):
    clients = []

    def make(client_id="mpanel", password=None, *, cert=True, **options):
        client = EppClient(
            server.host, server.port, client_id, password or server.registrars[client_id],
            cert_file=str(server.pki.client_cert) if cert else None,
            key_file=str(server.pki.client_key) if cert else None,
            ca_file=str(server.pki.ca_cert), timeout=5, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def verbs(server) -> list[str]:
    return [verb for _cl_id, verb, _cltrid in server.commands]


@pytest.mark.slow
def test_end_to_end_registrar_flow(server, make_client):
    server.seed_domain("taken.test", "rival", "rival-Auth1")
    with make_client() as client:
        assert namespaces.RGP in client.greeting.ext_uris
        checks = client.domain_check(["fresh.test", "taken.test"]).data
        assert [(c.name, c.avail, c.reason) for c in checks] == [
            ("fresh.test", True, None), ("taken.test", False, "In use")]

        assert client.contact_create(CONTACT).data.name == "mp-c1"
        assert client.host_create("ns1.example.net", ["192.0.2.1"]).code == 1000
        client.host_create("ns2.example.net")
        created = client.domain_create(
            "fresh.test", auth_info="dom-Auth1", period=2, nameservers=["ns1.example.net"],
            registrant="mp-c1", contacts={"admin": "mp-c1", "tech": "mp-c1", "billing": "mp-c1"}).data
        assert created.name == "fresh.test"
        assert created.ex_date.year == created.cr_date.year + 2

        info = client.domain_info("fresh.test")
        assert info.sv_trid and info.cl_trid
        info = info.data
        assert (info.name, info.cl_id, info.registrant) == ("fresh.test", "mpanel", "mp-c1")
        assert info.auth_info == "dom-Auth1"
        assert info.statuses == ["ok"] and info.ns == ["ns1.example.net"] and info.ex_date == created.ex_date
        assert info.contacts == [("admin", "mp-c1"), ("tech", "mp-c1"), ("billing", "mp-c1")]

        renewed = client.domain_renew("fresh.test", info.ex_date.date(), period=1).data
        assert renewed.ex_date.year == info.ex_date.year + 1

        client.domain_update("fresh.test", add_ns=["ns2.example.net"], rem_ns=["ns1.example.net"])
        assert client.domain_info("fresh.test").data.ns == ["ns2.example.net"]

        client.set_transfer_lock("fresh.test", True)
        assert client.domain_info("fresh.test").data.statuses == ["clientTransferProhibited"]

        with make_client("rival") as rival:
            with pytest.raises(StatusProhibitsOperation) as locked:
                rival.domain_transfer_request("fresh.test", "dom-Auth1")
            assert locked.value.code == 2304
            client.set_transfer_lock("fresh.test", False)
            with pytest.raises(AuthorizationError) as wrong:
                rival.domain_transfer_request("fresh.test", "wrong-Auth1")
            assert wrong.value.code == 2201
            transfer = rival.domain_transfer_request("fresh.test", "dom-Auth1").data
            assert (transfer.tr_status, transfer.re_id, transfer.ac_id) == ("serverApproved", "rival", "mpanel")
            assert transfer.ex_date.year == renewed.ex_date.year + 1
            assert rival.domain_transfer_query("fresh.test").data == transfer
            assert rival.domain_info("fresh.test").data.cl_id == "rival"

        poll = client.poll_request()
        assert poll.code == 1301 and poll.msg_q.count == 1
        assert "fresh.test" in poll.msg_q.msg and poll.msg_q.q_date is not None
        assert (poll.data.name, poll.data.re_id, poll.data.ac_id) == ("fresh.test", "rival", "mpanel")
        assert client.poll_ack(poll.msg_q.id).msg_q.count == 0
        assert client.poll_request().code == 1300
        with pytest.raises(AuthorizationError):
            client.domain_info("fresh.test")  # no longer the sponsor

    assert verbs(server)[-1] == "logout"
    assert server.violations == []
    assert server.client_cert_names == [CLIENT_COMMON_NAME, CLIENT_COMMON_NAME]
    cltrids = [cltrid for _cl_id, _verb, cltrid in server.commands]
    assert None not in cltrids and len(set(cltrids)) == len(cltrids)


@pytest.mark.slow
def test_creating_a_registered_name_raises_object_exists(server, make_client):
    server.seed_domain("taken.test", "rival", "rival-Auth1")
    with make_client() as client, pytest.raises(ObjectExists) as exc:
        client.domain_create("taken.test", auth_info="dom-Auth1")
    assert exc.value.code == 2302 and exc.value.response.sv_trid
    assert server.violations == []


@pytest.mark.slow
def test_injected_failures_raise_typed_errors_and_keep_the_session(server, make_client):
    with make_client() as client:
        server.fail_next_command()
        with pytest.raises(CommandFailed) as failed:
            client.domain_check(["a.test"])
        assert failed.value.code == 2400
        server.fail_next_command(2104)
        with pytest.raises(BillingFailure):
            client.domain_create("a.test", auth_info="dom-Auth1")
        assert client.domain_check(["a.test"]).data[0].avail
    assert verbs(server).count("login") == 1
    assert server.violations == []


@pytest.mark.slow
def test_connection_dropped_mid_command_raises_and_next_command_reconnects(server, make_client):
    with make_client() as client:
        server.drop_next_connection()
        with pytest.raises(ConnectionLost, match="outcome is unknown"):
            client.domain_create("drop.test", auth_info="dom-Auth1")
        # The registry executed the create before hanging up; info shows the truth.
        assert client.domain_info("drop.test").data.cl_id == "mpanel"
    assert verbs(server).count("login") == 2
    assert verbs(server).count("create") == 1  # never resent automatically
    assert server.violations == []


@pytest.mark.slow
def test_idempotent_command_is_resent_after_a_drop(server, make_client):
    with make_client() as client:
        server.drop_next_connection()
        assert client.domain_check(["x.test"]).data[0].avail
    assert verbs(server).count("check") == 2
    assert verbs(server).count("login") == 2


@pytest.mark.slow
def test_connection_closed_while_idle_is_reopened_before_sending(server, make_client):
    with make_client() as client:
        assert client.hello().sv_id == "MPanel Test Registry"
        server.disconnect_all()
        assert client.domain_create("idle.test", auth_info="dom-Auth1").code == 1000
    assert verbs(server).count("login") == 2
    assert verbs(server).count("create") == 1


@pytest.mark.slow
def test_bad_password_raises_authentication_error(server, make_client):
    with pytest.raises(AuthenticationError) as exc, make_client(password="wrong-pw1"):
        pass
    assert exc.value.code == 2200


@pytest.mark.slow
def test_login_can_change_the_password(server, make_client):
    client = make_client()
    client.connect()
    client.login(new_password="fresh-pw1")
    client.logout()
    assert server.registrars["mpanel"] == "fresh-pw1" != DEFAULT_REGISTRARS["mpanel"]
    with make_client(password="fresh-pw1") as again:
        assert again.domain_check(["a.test"]).code == 1000


@pytest.mark.slow
def test_client_certificate_is_required(server, make_client):
    with pytest.raises(ConnectionLost, match="cannot connect"):
        make_client(cert=False).connect()
    assert server.client_cert_names == []


@pytest.mark.slow
def test_commands_before_login_are_refused(server, make_client):
    client = make_client()
    client.connect()
    with pytest.raises(EppError) as exc:
        client.domain_check(["a.test"])
    assert exc.value.code == 2002


@pytest.mark.slow
def test_schema_invalid_command_gets_2001_and_is_recorded(server, make_client):
    broken = BUILDERS["domain-create-minimal"]().replace(b'unit="y"', b'unit="d"')
    with make_client() as client, pytest.raises(EppError) as exc:
        client.execute(broken)
    assert exc.value.code == 2001
    assert [v.direction for v in server.violations] == ["command"]
    assert "unit" in server.violations[0].errors[0]


@pytest.mark.slow
def test_registry_policy_and_authorization_errors(server, make_client):
    server.seed_domain("theirs.test", "rival", "rival-Auth1")
    with make_client() as client:
        with pytest.raises(ParameterPolicyError):
            client.domain_create("long.test", auth_info="dom-Auth1", period=11)
        with pytest.raises(ObjectDoesNotExist):
            client.domain_create("ns.test", auth_info="dom-Auth1", nameservers=["ns.nowhere.test"])
        client.domain_create("p.test", auth_info="dom-Auth1")
        expires = client.domain_info("p.test").data.ex_date
        with pytest.raises(ParameterPolicyError, match="curExpDate"):
            client.domain_renew("p.test", expires.date() - timedelta(days=1))
        with pytest.raises(ParameterPolicyError):
            client.domain_renew("p.test", expires.date(), period=10)  # beyond 10 years from now
        with pytest.raises(ObjectDoesNotExist):
            client.domain_info("missing.test")
        with pytest.raises(AuthorizationError):
            client.domain_info("theirs.test")
        with pytest.raises(AuthorizationError):
            client.set_transfer_lock("theirs.test", True)
        theirs = client.domain_info("theirs.test", auth_info="rival-Auth1").data
        assert theirs.cl_id == "rival" and theirs.auth_info is None
    assert server.violations == []


@pytest.mark.slow
def test_rgp_status_is_reported_to_clients_that_announce_rgp(server, make_client):
    with make_client() as client:
        client.domain_create("grace.test", auth_info="dom-Auth1")
        assert client.domain_info("grace.test").data.rgp_statuses == []
        server.set_rgp("grace.test", "redemptionPeriod")
        assert client.domain_info("grace.test").data.rgp_statuses == ["redemptionPeriod"]
    with make_client(ext_uris=()) as plain:
        assert plain.domain_info("grace.test").data.rgp_statuses == []
    assert server.violations == []


@pytest.mark.slow
def test_contact_and_host_lifecycle(server, make_client):
    with make_client() as client:
        assert client.contact_check(["mp-c1"]).data[0].avail
        client.contact_create(CONTACT)
        with pytest.raises(ObjectExists):
            client.contact_create(CONTACT)
        client.contact_update("mp-c1", email="new@example.com", voice="+49.309999999",
                              postal_info=[dataclasses.replace(ADDRESS, city="Hamburg")],
                              add_statuses=["clientDeleteProhibited"])
        info = client.contact_info("mp-c1").data
        assert (info.email, info.voice, info.auth_info) == ("new@example.com", "+49.309999999", "cont-Auth1")
        assert info.postal_info == [dataclasses.replace(ADDRESS, city="Hamburg")]
        assert info.statuses == ["clientDeleteProhibited"]

        client.host_create("ns1.example.net", ["192.0.2.1", "2001:db8::53"])
        assert not client.host_check(["ns1.example.net"]).data[0].avail
        host = client.host_info("ns1.example.net").data
        assert host.addrs == ["192.0.2.1", "2001:db8::53"] and host.statuses == ["ok"]
    with make_client("rival") as rival:
        with pytest.raises(AuthorizationError):
            rival.contact_info("mp-c1")
        with pytest.raises(AuthorizationError):
            rival.contact_update("mp-c1", email="evil@example.com")
        assert rival.contact_info("mp-c1", auth_info="cont-Auth1").data.email == "new@example.com"
    assert server.violations == []
