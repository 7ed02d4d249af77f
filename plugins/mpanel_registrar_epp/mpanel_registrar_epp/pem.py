"""PEM text from a settings field: restore line breaks a one-line input lost."""

import re
import textwrap

_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)


def normalise(text: str) -> str:
    """Every PEM block in ``text``, re-wrapped at 64 columns; ValueError if there is none."""
    blocks = []
    for label, body in _BLOCK.findall(text or ""):
        data = "\n".join(textwrap.wrap("".join(body.split()), 64))
        blocks.append(f"-----BEGIN {label}-----\n{data}\n-----END {label}-----\n")
    if not blocks:
        raise ValueError("not PEM (no -----BEGIN ...----- block)")
    return "".join(blocks)
