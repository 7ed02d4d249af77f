"""Reading ISO 20022 CAMT.053 bank statements (any camt.053.001.xx version).

Only booked credit entries are money received. An entry that batches several
transfers yields one line per transaction detail. Each line has the bank's own
reference (AcctSvcrRef, else the end-to-end id, else a digest of its content),
which makes importing the same statement twice a no-op.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from mpanel.core.money import to_decimal, validate_currency

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


class StatementError(ValueError):
    """The file is not a CAMT.053 statement MPanel can read."""


@dataclass(frozen=True)
class StatementLine:
    bank_ref: str
    booked_on: dt.date | None
    amount: Decimal
    currency: str
    reference: str  # the structured creditor reference, if the payer gave one
    remittance: str  # unstructured remittance information
    debtor_name: str
    debtor_iban: str


def _text(node, path: str) -> str:
    found = node.find(path) if node is not None else None
    return (found.text or "").strip() if found is not None else ""


def _amount(node) -> tuple[Decimal, str] | None:
    amount = node.find("{*}Amt") if node is not None else None
    if amount is None:
        amount = node.find("{*}AmtDtls/{*}TxAmt/{*}Amt") if node is not None else None
    if amount is None:
        return None
    try:
        return to_decimal(amount.text.strip()), validate_currency(amount.get("Ccy", ""))
    except (AttributeError, ValueError) as exc:
        raise StatementError(f"an amount cannot be read: {exc}") from None


def _date(entry) -> dt.date | None:
    value = _text(entry, "{*}BookgDt/{*}Dt") or _text(entry, "{*}BookgDt/{*}DtTm")[:10]
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise StatementError(f"a booking date cannot be read: {value!r}") from None


def _booked(entry) -> bool:
    status = _text(entry, "{*}Sts") or _text(entry, "{*}Sts/{*}Cd")
    return status in ("", "BOOK")


def _line(entry, details, position: tuple[int, int]) -> StatementLine:
    amount, currency = _amount(details) or _amount(entry) or (None, None)
    if amount is None:
        raise StatementError("an entry has no amount")
    party = "{*}RltdPties/{*}Dbtr"
    values = {
        "booked_on": _date(entry), "amount": amount, "currency": currency,
        "reference": _text(details, "{*}RmtInf/{*}Strd/{*}CdtrRefInf/{*}Ref"),
        "remittance": " ".join(u.text.strip() for u in details.findall("{*}RmtInf/{*}Ustrd") if u.text)
        if details is not None else "",
        "debtor_name": _text(details, f"{party}/{{*}}Nm") or _text(details, f"{party}/{{*}}Pty/{{*}}Nm"),
        "debtor_iban": _text(details, "{*}RltdPties/{*}DbtrAcct/{*}Id/{*}IBAN"),
    }
    ref = (_text(details, "{*}Refs/{*}AcctSvcrRef") or _text(entry, "{*}AcctSvcrRef")
           or _text(details, "{*}Refs/{*}EndToEndId").replace("NOTPROVIDED", ""))
    if ref and len(entry.findall("{*}NtryDtls/{*}TxDtls")) > 1 and not _text(details, "{*}Refs/{*}AcctSvcrRef"):
        ref = f"{ref}/{position[1]}"  # one bank reference for a batch: number its transfers
    if not ref:
        ref = "sha256:" + hashlib.sha256(repr((position, sorted(values.items()))).encode()).hexdigest()[:40]
    return StatementLine(bank_ref=ref[:200], **values)


def parse(data: bytes) -> list[StatementLine]:
    """The booked credit lines of a CAMT.053 document; StatementError if it is not one."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise StatementError(f"not XML: {exc}") from None
    if not etree.QName(root).namespace or "camt.053" not in etree.QName(root).namespace:
        raise StatementError("not a CAMT.053 statement (urn:iso:std:iso:20022:tech:xsd:camt.053.001.xx)")
    lines = []
    for number, entry in enumerate(root.iterfind("{*}BkToCstmrStmt/{*}Stmt/{*}Ntry"), 1):
        if _text(entry, "{*}CdtDbtInd") != "CRDT" or not _booked(entry):
            continue
        details = entry.findall("{*}NtryDtls/{*}TxDtls") or [None]
        lines += [_line(entry, detail, (number, n)) for n, detail in enumerate(details, 1)]
    return lines
