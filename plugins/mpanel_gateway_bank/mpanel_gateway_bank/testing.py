"""Test helpers of the bank transfer gateway: CAMT.053 statements shaped like the
ISO 20022 examples (camt.053.001.08)."""

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def entry(amount: str, ref: str = "", structured: str = "", text: str = "", credit: bool = True,
          currency: str = "EUR", details: int = 1, status: str = "BOOK") -> str:
    tx = f"""<TxDtls><Refs>{f'<AcctSvcrRef>{ref}-TX</AcctSvcrRef>' if details == 1 and ref else ''}
        <EndToEndId>NOTPROVIDED</EndToEndId></Refs>
        <Amt Ccy="{currency}">{amount}</Amt>
        <RltdPties><Dbtr><Pty><Nm>Chris Client</Nm></Pty></Dbtr>
          <DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct></RltdPties>
        <RmtInf>{f'<Ustrd>{text}</Ustrd>' if text else ''}
          {f'<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{structured}</Ref></CdtrRefInf></Strd>'
           if structured else ''}</RmtInf></TxDtls>"""
    return f"""<Ntry><Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd>
      <Sts><Cd>{status}</Cd></Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>
      <BkTxCd/><NtryDtls>{tx * details}</NtryDtls></Ntry>"""


def statement(*entries: str, statement_id: str = "STMT-1") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{NS}"><BkToCstmrStmt>
  <GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>2026-11-21T06:00:00</CreDtTm></GrpHdr>
  <Stmt><Id>{statement_id}</Id><CreDtTm>2026-11-21T06:00:00</CreDtTm>
    <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
    {''.join(entries)}
  </Stmt></BkToCstmrStmt></Document>""".encode()
