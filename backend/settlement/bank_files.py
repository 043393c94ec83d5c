"""Payment files for the bank, and the bank's answers read back.

- **pain.001** (ISO 20022 credit transfer initiation, version 001.001.03) for EUR and PLN,
  written by sepaxml and validated against the schema it ships; the bank answers with a
  **pain.002** status report (parsed with defusedxml: no entities, no bombs), read per
  ``OrgnlEndToEndId`` (``ACSC``/``ACCP``/``ACSP``:
  accepted; ``RJCT``: rejected, with its reason code), or for the whole group.
- **NACHA** for USD: the fixed-width ACH file (94-character records: file header, one
  PPD credit batch, an entry per payout, controls, padded to a block of ten), written here
  since no maintained Python library writes it. Its answer is a **returns** file: entries
  returned (``R01`` ...) are rejected; the rest of the file is paid.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime

from defusedxml import ElementTree as SafeET
from sepaxml import SepaTransfer

ACCEPTED = {"ACSC", "ACCP", "ACSP", "ACWC"}


@dataclass(frozen=True)
class Credit:
    end_to_end_id: str
    name: str
    amount: int
    currency: str
    description: str
    iban: str = ""
    bic: str = ""
    routing_number: str = ""
    account_number: str = ""


def pain001(*, reference: str, debtor: dict, credits: list[Credit], execution: date) -> bytes:
    """The credit transfers as pain.001.001.03, schema-validated."""
    transfer = SepaTransfer(
        {
            "name": debtor["name"],
            "IBAN": debtor["iban"],
            "BIC": debtor["bic"],
            "batch": True,
            "currency": credits[0].currency,
        },
        clean=True,
    )
    for credit in credits:
        payment = {
            "name": credit.name,
            "IBAN": credit.iban,
            "amount": credit.amount,
            "execution_date": execution,
            "description": credit.description,
            "endtoend_id": credit.end_to_end_id,
        }
        if credit.bic:
            payment["BIC"] = credit.bic
        transfer.add_payment(payment)
    xml = transfer.export(validate=True)
    # sepaxml makes its own message id; the file's is ours, so the status report names it.
    root = SafeET.fromstring(xml)
    namespace = root.tag.split("}")[0] + "}"
    root.find(f"{namespace}CstmrCdtTrfInitn/{namespace}GrpHdr/{namespace}MsgId").text = reference
    ET.register_namespace("", namespace.strip("{}"))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


@dataclass(frozen=True)
class Outcome:
    end_to_end_id: str
    accepted: bool
    reason: str = ""


def pain002(report: bytes) -> tuple[str, list[Outcome]]:
    """(the original message id, each transaction's outcome) from a pain.002 report. A
    group rejected as a whole rejects every transaction it does not list."""
    try:
        root = SafeET.fromstring(report)  # the bank's file, uploaded: no entities, no bombs
    except (ET.ParseError, ValueError) as exc:
        raise ValueError(f"not XML: {exc}") from None
    ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
    if "pain.002" not in ns:
        raise ValueError("not a pain.002 status report")
    group = root.find(f".//{ns}OrgnlGrpInfAndSts")
    if group is None:
        raise ValueError("no original group in the report")
    message = group.findtext(f"{ns}OrgnlMsgId", "")
    outcomes = []
    for tx in root.iter(f"{ns}TxInfAndSts"):
        status = tx.findtext(f"{ns}TxSts", "")
        reason = tx.findtext(f"{ns}StsRsnInf/{ns}Rsn/{ns}Cd", "")
        outcomes.append(
            Outcome(tx.findtext(f"{ns}OrgnlEndToEndId", ""), status in ACCEPTED, reason)
        )
    group_status = group.findtext(f"{ns}GrpSts", "")
    if group_status == "RJCT" and not outcomes:
        reason = group.findtext(f"{ns}StsRsnInf/{ns}Rsn/{ns}Cd", "")
        return message, [Outcome("*", False, reason or "RJCT")]
    if group_status in ACCEPTED and not outcomes:
        return message, [Outcome("*", True)]
    return message, outcomes


def _aba_check_digit(first_eight: str) -> str:
    weights = (3, 7, 1) * 3
    total = sum(int(d) * w for d, w in zip(first_eight, weights, strict=False))
    return str((10 - total % 10) % 10)


def routing_number_valid(number: str) -> bool:
    """An ABA routing number: nine digits whose last is the weighted check digit."""
    return len(number) == 9 and number.isdigit() and _aba_check_digit(number[:8]) == number[8]


def _field(value, width: int, *, numeric: bool = False) -> str:
    text = str(value)
    if numeric:
        return text.rjust(width, "0")[-width:]
    ascii_text = text.encode("ascii", "replace").decode().upper()
    return ascii_text[:width].ljust(width)


def nacha(*, reference: str, originator: dict, credits: list[Credit], execution: date,
          now: datetime) -> bytes:  # fmt: skip
    """A NACHA file of PPD credits (transaction code 22: to a checking account)."""
    dest, origin = originator["destination_routing"], originator["origin_id"]
    odfi = dest[:8]
    records = [
        "1" + "01" + " " + _field(dest, 9) + _field(origin, 10)
        + now.strftime("%y%m%d%H%M") + _field(reference[-1:] or "A", 1)
        + "094" + "10" + "1" + _field(originator["destination_name"], 23)
        + _field(originator["name"], 23) + _field(reference, 8),
        "5" + "220" + _field(originator["name"], 16) + _field("", 20)
        + _field(origin, 10) + "PPD" + _field("CLAIM", 10) + _field("", 6)
        + execution.strftime("%y%m%d") + "   " + "1" + _field(odfi, 8)
        + _field(1, 7, numeric=True),
    ]  # fmt: skip
    hash_total = total = 0
    for n, credit in enumerate(credits, start=1):
        trace = odfi + _field(n, 7, numeric=True)
        records.append(
            "6" + "22" + credit.routing_number[:8] + credit.routing_number[8]
            + _field(credit.account_number, 17) + _field(credit.amount, 10, numeric=True)
            + _field(credit.end_to_end_id, 15) + _field(credit.name, 22) + "  " + "0"
            + trace
        )  # fmt: skip
        hash_total += int(credit.routing_number[:8])
        total += credit.amount
    entries = len(credits)
    hash_text = _field(hash_total, 10, numeric=True)
    records.append(
        "8" + "220" + _field(entries, 6, numeric=True) + hash_text
        + _field(0, 12, numeric=True) + _field(total, 12, numeric=True) + _field(origin, 10)
        + _field("", 19) + _field("", 6) + _field(odfi, 8) + _field(1, 7, numeric=True)
    )  # fmt: skip
    blocks = -(-(len(records) + 1) // 10)
    records.append(
        "9" + _field(1, 6, numeric=True) + _field(blocks, 6, numeric=True)
        + _field(entries, 8, numeric=True) + hash_text + _field(0, 12, numeric=True)
        + _field(total, 12, numeric=True) + _field("", 39)
    )  # fmt: skip
    records += ["9" * 94] * (blocks * 10 - len(records))
    assert all(len(r) == 94 for r in records), [len(r) for r in records]
    return ("\n".join(records) + "\n").encode("ascii")


def nacha_returns(report: bytes) -> list[Outcome]:
    """The returned entries of an ACH returns file: each entry detail's individual id (our
    end-to-end id) with the return reason code of its addenda (type 99)."""
    outcomes, pending = [], None
    for raw in report.decode("ascii", "replace").splitlines():
        line = raw.rstrip("\n")
        if len(line) < 94:
            raise ValueError("not a NACHA file: every record has 94 characters")
        if line.startswith("6"):
            pending = line[39:54].strip()
        elif line.startswith("799") and pending:
            outcomes.append(Outcome(pending, False, line[3:6]))
            pending = None
    return outcomes
