"""RFC 5734 framing: a 4-byte big-endian total length (header included), then the XML."""

import struct

from .errors import ConnectionLost, ProtocolError

HEADER = struct.Struct(">I")
DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024


def encode_frame(payload: bytes) -> bytes:
    return HEADER.pack(HEADER.size + len(payload)) + payload


def write_frame(sock, payload: bytes) -> None:
    sock.sendall(encode_frame(payload))


def read_frame(sock, max_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> bytes:
    """Read one message; refuse lengths below the header size or above max_size."""
    (total,) = HEADER.unpack(_read_exact(sock, HEADER.size))
    if total < HEADER.size:
        raise ProtocolError(None, f"invalid frame length {total}")
    if total > max_size:
        raise ProtocolError(None, f"frame of {total} bytes exceeds the {max_size} byte limit")
    return _read_exact(sock, total - HEADER.size)


def _read_exact(sock, size: int) -> bytes:
    """recv() may return fewer bytes than asked for: loop until done or EOF."""
    chunks = []
    while size:
        chunk = sock.recv(min(size, 65536))
        if not chunk:
            raise ConnectionLost(None, "connection closed by peer")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
