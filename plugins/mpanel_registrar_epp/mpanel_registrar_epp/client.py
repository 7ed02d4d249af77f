"""EPP session over TLS (RFC 5734) with typed errors and safe reconnects."""

import contextlib
import logging
import secrets
import select
import socket
import ssl
import threading
from collections.abc import Iterable, Mapping
from datetime import date
from itertools import count
from typing import Self

from . import commands
from . import namespaces as ns
from .errors import ConnectionLost, ProtocolError, error_for
from .framing import DEFAULT_MAX_MESSAGE_SIZE, read_frame, write_frame
from .models import ContactData, Greeting, PostalInfo, Response
from .responses import parse_greeting, parse_response

log = logging.getLogger(__name__)

SESSION_ENDED = (2500, 2501, 2502)


class EppClient:
    """A registrar's EPP session.

    Commands connect and log in on demand. If the connection turns out to be
    dead before a command is sent, the client reconnects, logs in and sends it
    once more. If it drops after sending, only idempotent commands (check, info,
    hello, poll request, transfer query) are resent; for the others the outcome
    is unknown and ConnectionLost is raised.

    Each command method returns a Response whose data holds the parsed resData,
    or raises the EppError subclass for the result code.
    """

    def __init__(self, host: str, port: int, client_id: str, password: str,
                 cert_file: str | None = None, key_file: str | None = None,
                 ca_file: str | None = None, verify: bool = True, timeout: float = 30.0,
                 *, ext_uris: Iterable[str] = (ns.RGP,),
                 max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE):
        self.host, self.port = host, port
        self.client_id, self.password = client_id, password
        self.timeout = timeout
        self.ext_uris = tuple(ext_uris)  # announced at login when the server offers them
        self.max_message_size = max_message_size
        self.greeting: Greeting | None = None
        self._context = ssl.create_default_context(cafile=ca_file)
        if not verify:
            self._context.check_hostname = False
            self._context.verify_mode = ssl.CERT_NONE
        if cert_file:
            self._context.load_cert_chain(cert_file, key_file)
        self._sock: ssl.SSLSocket | None = None
        self._lock = threading.RLock()
        self._trid_prefix = f"{client_id}-{secrets.token_hex(4)}"
        self._trid_counter = count(1)

    # -- session -----------------------------------------------------------

    def __enter__(self) -> Self:
        self._open_session()
        return self

    def __exit__(self, *exc_info) -> None:
        self.logout()

    def connect(self) -> Greeting:
        """Open the TLS connection and read the server greeting."""
        with self._lock:
            self.close()
            try:
                self._sock = socket.create_connection((self.host, self.port), self.timeout)
                self._sock = self._context.wrap_socket(self._sock, server_hostname=self.host)
                self.greeting = parse_greeting(read_frame(self._sock, self.max_message_size))
            except (OSError, ConnectionLost) as exc:
                self.close()
                raise ConnectionLost(None, f"cannot connect to {self.host}:{self.port}: {exc}") from exc
            except ProtocolError:
                self.close()
                raise
            return self.greeting

    def login(self, new_password: str | None = None) -> Response:
        """Log in on the open connection; new_password changes the password."""
        with self._lock:
            offered = self.greeting.ext_uris
            xml = commands.login(
                self.client_id, self.password, cltrid=self._cltrid(), new_password=new_password,
                obj_uris=[uri for uri in ns.OBJECT_URIS if uri in self.greeting.obj_uris],
                ext_uris=[uri for uri in self.ext_uris if uri in offered])
            try:
                response = self._check(self._exchange(xml))
            except Exception:
                self.close()
                raise
            if new_password:
                self.password = new_password
            return response

    def hello(self) -> Greeting:
        """Keep-alive: the server answers with a fresh greeting."""
        self.greeting = parse_greeting(self._transact(commands.hello(), idempotent=True))
        return self.greeting

    def logout(self) -> None:
        """End the session and close; a connection that is already gone is fine."""
        with self._lock:
            try:
                if self._alive():
                    with contextlib.suppress(ConnectionLost):
                        self._check(self._exchange(commands.logout(cltrid=self._cltrid())))
            finally:
                self.close()

    def close(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()

    def execute(self, xml: bytes, *, idempotent: bool = False) -> Response:
        """Send a prebuilt command (e.g. with extensions) and check its result."""
        return self._check(parse_response(self._transact(xml, idempotent)))

    # -- transport ---------------------------------------------------------

    def _open_session(self) -> None:
        self.connect()
        self.login()

    def _cltrid(self) -> str:
        return f"{self._trid_prefix}-{next(self._trid_counter)}"

    def _alive(self) -> bool:
        """Is the idle connection usable? EOF or unsolicited data (such as a
        2500 goodbye) while no command is outstanding means it is not."""
        if self._sock is None:
            return False
        if not self._sock.pending() and not select.select([self._sock], [], [], 0)[0]:
            return True
        try:
            self._sock.setblocking(False)
            self._sock.recv(1)
        except ssl.SSLWantReadError:  # only TLS housekeeping, e.g. session tickets
            self._sock.settimeout(self.timeout)
            return True
        except OSError:
            pass
        log.info("EPP connection to %s:%s was closed by the server", self.host, self.port)
        self.close()
        return False

    def _exchange(self, xml: bytes) -> Response:
        """One request/response on the current connection, without retries."""
        try:
            write_frame(self._sock, xml)
            return parse_response(read_frame(self._sock, self.max_message_size))
        except (OSError, ConnectionLost) as exc:
            self.close()
            raise ConnectionLost(None, f"connection lost: {exc}") from exc

    def _transact(self, xml: bytes, idempotent: bool) -> bytes:
        with self._lock:
            reply = self._attempt(xml, idempotent, last=False)
            return reply if reply is not None else self._attempt(xml, idempotent, last=True)

    def _attempt(self, xml: bytes, idempotent: bool, last: bool) -> bytes | None:
        """Send xml and read the reply once; None means it is safe to send it again."""
        if not self._alive():
            self._open_session()
        try:
            write_frame(self._sock, xml)
        except OSError as exc:  # the frame did not arrive complete, so it was not executed
            self.close()
            if last:
                raise ConnectionLost(None, f"cannot send command: {exc}") from exc
            return None
        try:
            return read_frame(self._sock, self.max_message_size)
        except ProtocolError:
            self.close()  # the stream is out of step
            raise
        except (OSError, ConnectionLost) as exc:
            self.close()
            if idempotent and not last:
                log.warning("EPP connection lost during an idempotent command; resending")
                return None
            raise ConnectionLost(
                None, "connection lost after the command was sent; its outcome is unknown, "
                      "check the object's state before retrying") from exc

    def _check(self, response: Response) -> Response:
        if response.code >= 2000:
            if response.code in SESSION_ENDED:
                self.close()
            raise error_for(response.code, response.msg, response)
        return response

    # -- commands ----------------------------------------------------------

    def poll_request(self) -> Response:
        """Code 1301 with msg_q and data when a message waits, 1300 when none."""
        return self.execute(commands.poll_request(cltrid=self._cltrid()), idempotent=True)

    def poll_ack(self, msg_id: str) -> Response:
        return self.execute(commands.poll_ack(msg_id, cltrid=self._cltrid()))

    def domain_check(self, names: Iterable[str]) -> Response:
        return self.execute(commands.domain_check(names, cltrid=self._cltrid()), idempotent=True)

    def domain_info(self, name: str, auth_info: str | None = None) -> Response:
        xml = commands.domain_info(name, cltrid=self._cltrid(), auth_info=auth_info)
        return self.execute(xml, idempotent=True)

    def domain_create(self, name: str, *, auth_info: str, period: int = 1,
                      nameservers: Iterable[str] = (), registrant: str | None = None,
                      contacts: Mapping[str, str] | None = None) -> Response:
        return self.execute(commands.domain_create(
            name, cltrid=self._cltrid(), auth_info=auth_info, period=period,
            nameservers=nameservers, registrant=registrant, contacts=contacts))

    def domain_renew(self, name: str, cur_exp_date: date, period: int = 1) -> Response:
        return self.execute(commands.domain_renew(name, cur_exp_date, cltrid=self._cltrid(), period=period))

    def domain_transfer_request(self, name: str, auth_info: str, period: int | None = None) -> Response:
        return self.execute(commands.domain_transfer(
            name, "request", cltrid=self._cltrid(), auth_info=auth_info, period=period))

    def domain_transfer_query(self, name: str, auth_info: str | None = None) -> Response:
        xml = commands.domain_transfer(name, "query", cltrid=self._cltrid(), auth_info=auth_info)
        return self.execute(xml, idempotent=True)

    def domain_update(self, name: str, *, add_ns: Iterable[str] = (), rem_ns: Iterable[str] = (),
                      add_statuses: Iterable[str] = (), rem_statuses: Iterable[str] = (),
                      add_contacts: Iterable[tuple[str, str]] = (), rem_contacts: Iterable[tuple[str, str]] = (),
                      registrant: str | None = None, auth_info: str | None = None) -> Response:
        return self.execute(commands.domain_update(
            name, cltrid=self._cltrid(), add_ns=add_ns, rem_ns=rem_ns, add_statuses=add_statuses,
            rem_statuses=rem_statuses, add_contacts=add_contacts, rem_contacts=rem_contacts,
            registrant=registrant, auth_info=auth_info))

    def domain_restore(self, name: str) -> Response:
        """RFC 3915 restore request for a name in its redemption period."""
        return self.execute(commands.domain_restore(name, cltrid=self._cltrid()))

    def set_transfer_lock(self, name: str, locked: bool) -> Response:
        key = "add_statuses" if locked else "rem_statuses"
        return self.domain_update(name, **{key: [commands.TRANSFER_LOCK]})

    def host_check(self, names: Iterable[str]) -> Response:
        return self.execute(commands.host_check(names, cltrid=self._cltrid()), idempotent=True)

    def host_create(self, name: str, addrs: Iterable[str] = ()) -> Response:
        return self.execute(commands.host_create(name, cltrid=self._cltrid(), addrs=addrs))

    def host_info(self, name: str) -> Response:
        return self.execute(commands.host_info(name, cltrid=self._cltrid()), idempotent=True)

    def contact_check(self, ids: Iterable[str]) -> Response:
        return self.execute(commands.contact_check(ids, cltrid=self._cltrid()), idempotent=True)

    def contact_create(self, contact: ContactData) -> Response:
        return self.execute(commands.contact_create(contact, cltrid=self._cltrid()))

    def contact_info(self, contact_id: str, auth_info: str | None = None) -> Response:
        xml = commands.contact_info(contact_id, cltrid=self._cltrid(), auth_info=auth_info)
        return self.execute(xml, idempotent=True)

    def contact_update(self, contact_id: str, *, postal_info: Iterable[PostalInfo] = (),
                       voice: str | None = None, email: str | None = None,
                       auth_info: str | None = None, add_statuses: Iterable[str] = (),
                       rem_statuses: Iterable[str] = (), disclose: bool | None = None) -> Response:
        return self.execute(commands.contact_update(
            contact_id, cltrid=self._cltrid(), postal_info=postal_info, voice=voice, email=email,
            auth_info=auth_info, add_statuses=add_statuses, rem_statuses=rem_statuses, disclose=disclose))
