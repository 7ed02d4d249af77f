"""Check EPP XML with the shared official validator (RFC 5730-5733 schemas)."""

import tempfile
import threading
from pathlib import Path

from mpanel.testing.validators import validator

validate = validator()

# validate.py shares one lxml schema object, and its error log, between callers.
_lock = threading.Lock()


def epp_errors(xml: bytes) -> list[str]:
    """The validator's failures as "location: message" strings; [] means valid."""
    with _lock, tempfile.TemporaryDirectory(prefix="epp-validate-") as tmp:
        path = Path(tmp) / "message.xml"  # validate_epp() only reads files
        path.write_bytes(xml)
        failures, _warnings = validate.validate_epp(path)
    return [f"{location}: {text}" for _rule, _flag, location, text in failures]
