"""Threaded TLS EPP test registry on 127.0.0.1 (RFC 5734 transport).

Every incoming command, and every response sent, is checked with the shared
official validator; failures are kept in server.violations. Invalid commands
get result 2001.
"""

import contextlib
import socket
import socketserver
import ssl
import struct
import tempfile
import threading
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from lxml import etree

from . import messages
from .messages import EPP, NS
from .pki import create_pki
from .registry import Registry, Reply, Session
from .validation import epp_errors

DEFAULT_REGISTRARS = {"mpanel": "mpanel-pw1", "rival": "rival-pw1"}
MAX_FRAME = 1024 * 1024
HEADER = struct.Struct(">I")


@dataclass(frozen=True)
class Violation:
    direction: str  # "command" or "response"
    errors: list[str]
    xml: bytes


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        self.server.epp.serve_connection(self.request)


class EppTestServer:
    """Use as a context manager; connect with the certificates in server.pki."""

    def __init__(self, registrars: dict[str, str] | None = None, *, require_client_cert: bool = True):
        self.registrars = dict(registrars or DEFAULT_REGISTRARS)  # clID -> password
        self.registry = Registry()
        self.violations: list[Violation] = []
        self.commands: list[tuple[str | None, str, str | None]] = []  # (clID, command, clTRID)
        self.client_cert_names: list[str] = []  # subject CN of each accepted client certificate
        self.host, self.port = "127.0.0.1", 0
        self._lock = threading.RLock()
        self._svtrids = count(1)
        self._fail_next: Reply | None = None
        self._drop_next = False
        self._raw_next: bytes | None = None
        self._connections: set[ssl.SSLSocket] = set()
        self._tmp = tempfile.TemporaryDirectory(prefix="epp-test-server-")
        self.pki = create_pki(Path(self._tmp.name))
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(self.pki.server_cert, self.pki.server_key)
        if require_client_cert:
            self._context.verify_mode = ssl.CERT_REQUIRED
            self._context.load_verify_locations(self.pki.ca_cert)
        self._tcp: socketserver.ThreadingTCPServer | None = None

    def __enter__(self):
        self._tcp = socketserver.ThreadingTCPServer((self.host, 0), _Handler)
        self._tcp.daemon_threads = True
        self._tcp.epp = self
        self.port = self._tcp.server_address[1]
        threading.Thread(target=self._tcp.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self._tcp.shutdown()
        self._tcp.server_close()
        self.disconnect_all()
        self._tmp.cleanup()

    # -- test controls ------------------------------------------------------------

    def fail_next_command(self, code: int = 2400, msg: str | None = None) -> None:
        """Answer the next command after login with this error, without executing it."""
        with self._lock:
            self._fail_next = Reply(code, msg)

    def answer_next_with(self, raw: bytes) -> None:
        """Answer the next command after login with these bytes (a malformed response), unexecuted."""
        with self._lock:
            self._raw_next = raw

    def drop_next_connection(self) -> None:
        """Execute the next command after login, then close without answering."""
        with self._lock:
            self._drop_next = True

    def disconnect_all(self) -> None:
        """Hang up on every idle or busy session, as an idle timeout would."""
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            # Shut down through a duplicate descriptor: the SSLSocket itself
            # belongs to the session thread.
            with contextlib.suppress(OSError), socket.fromfd(conn.fileno(), conn.family, conn.type) as dup:
                dup.shutdown(socket.SHUT_RDWR)

    def seed_domain(self, name: str, cl_id: str, auth_info: str, *, years: int = 1, statuses=()):
        """Register a domain directly, e.g. one sponsored by another registrar."""
        with self._lock:
            return self.registry.seed_domain(name, cl_id, auth_info, years=years, statuses=statuses)

    def set_rgp(self, name: str, status: str | None) -> None:
        """Set the RFC 3915 rgpStatus that info reports (e.g. redemptionPeriod)."""
        with self._lock:
            self.registry.set_rgp(name, status)

    # -- protocol -------------------------------------------------------------------

    def serve_connection(self, raw: socket.socket) -> None:
        try:
            conn = self._context.wrap_socket(raw, server_side=True)
        except OSError:  # no or untrusted client certificate, or a broken handshake
            return
        cert = conn.getpeercert()
        with self._lock:
            if cert:
                self.client_cert_names.append(dict(x[0] for x in cert["subject"])["commonName"])
            self._connections.add(conn)
        session = Session()
        try:
            self._send(conn, messages.greeting())
            while (request := _read_frame(conn)) is not None:
                reply, keep_open = self._handle(session, request)
                if reply is None:
                    break
                self._send(conn, reply)
                if not keep_open:
                    break
        except OSError:
            pass  # the client went away
        finally:
            with self._lock:
                self._connections.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()

    def _handle(self, session: Session, request: bytes) -> tuple[bytes | None, bool]:
        """Return (response or None to hang up, keep the connection open)."""
        errors = epp_errors(_without_extensions(request, "epp:command/epp:extension"))
        if errors:
            self._record("command", errors, request)
            return self._respond(Reply(2001, f"Command syntax error: {errors[0]}"), None), True
        body = etree.fromstring(request)[0]
        if body.tag == f"{{{EPP}}}hello":
            return messages.greeting(), True
        if body.tag != f"{{{EPP}}}command":
            return self._respond(Reply(2001, "Expected a command"), None), True
        action = body[0]
        verb = etree.QName(action).localname
        cltrid = body.findtext("epp:clTRID", None, NS)
        with self._lock:
            self.commands.append((session.cl_id, verb, cltrid))
        if verb == "login":
            return self._respond(self._login(session, action), cltrid), True
        if session.cl_id is None:
            return self._respond(Reply(2002, "Log in first"), cltrid), True
        if verb == "logout":
            return self._respond(Reply(1500), cltrid), False
        with self._lock:
            raw, self._raw_next = self._raw_next, None
            if raw is not None:
                return raw, True
            drop, self._drop_next = self._drop_next, False
            reply, self._fail_next = self._fail_next, None
            reply = reply or self.registry.execute(session, action)
        return (None, False) if drop else (self._respond(reply, cltrid), True)

    def _login(self, session: Session, login: etree._Element) -> Reply:
        if session.cl_id is not None:
            return Reply(2002, "Already logged in")
        cl_id = login.findtext("epp:clID", None, NS)
        with self._lock:
            if self.registrars.get(cl_id) != login.findtext("epp:pw", None, NS):
                return Reply(2200)
            new_password = login.findtext("epp:newPW", None, NS)
            if new_password:
                self.registrars[cl_id] = new_password
        session.cl_id = cl_id
        session.ext_uris = frozenset(login.xpath("epp:svcs/epp:svcExtension/epp:extURI/text()",
                                                 namespaces=NS))
        return Reply()

    def _respond(self, reply: Reply, cltrid: str | None) -> bytes:
        return messages.response(
            reply.code, cltrid, f"MPTEST-{next(self._svtrids)}", msg=reply.msg,
            res_data=reply.res_data, extension=reply.extension, msg_q=reply.msg_q)

    def _send(self, conn: ssl.SSLSocket, xml: bytes) -> None:
        errors = epp_errors(_without_extensions(xml, "epp:response/epp:extension"))
        if errors:
            self._record("response", errors, xml)
        conn.sendall(HEADER.pack(HEADER.size + len(xml)) + xml)

    def _record(self, direction: str, errors: list[str], xml: bytes) -> None:
        with self._lock:
            self.violations.append(Violation(direction, errors, xml))


def _without_extensions(xml: bytes, path: str) -> bytes:
    """The shared validator has no rgp-1.0 schema, and <extension> is a strict
    ##other wildcard: validate commands and responses without their extension."""
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError:
        return xml  # the validator reports it
    for extension in root.findall(path, NS):
        extension.getparent().remove(extension)
    return etree.tostring(root)


def _read_frame(conn: ssl.SSLSocket) -> bytes | None:
    """One RFC 5734 frame, or None at end of stream or on a nonsensical length."""
    header = _read_exact(conn, HEADER.size)
    if header is None:
        return None
    (total,) = HEADER.unpack(header)
    if not HEADER.size <= total <= MAX_FRAME:
        return None
    return _read_exact(conn, total - HEADER.size)


def _read_exact(conn: ssl.SSLSocket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data
