"""Claim payouts executed: an approved reimbursement paid once, by a pain.001 file (EUR,
PLN) or a NACHA file (USD), with the bank's answer read back."""

import pytest
from defusedxml import ElementTree as ET
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from rest_framework.test import APIClient

from backend.accounts.choices import Role
from backend.claims.desk import claim_approve
from backend.claims.models import Claim
from backend.common.actors import Actor, ActorKind
from backend.contracts.models import Contract
from backend.ledger.models import Entry, LedgerTransaction
from backend.settlement.models import ClaimPayout, PayoutFile
from tests.claims.conftest import shopper_client
from tests.claims.test_claims_and_cancellation import _claimable, _in_review

pytestmark = pytest.mark.django_db(transaction=True)
PAIN = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"


def _approved(sell, make_user, currency: str | None = None) -> ClaimPayout:
    agent = Actor.person(ActorKind.STAFF, make_user(Role.DESK_AGENT))
    contract = sell()
    claim = _in_review(_claimable(contract), agent)
    if currency:  # the same claim on a contract sold in a SEPA currency
        Contract.objects.filter(pk=contract.pk).update(currency=currency)
        Claim.objects.filter(pk=claim.pk).update(currency=currency)
    claim_approve(claim_id=claim.pk, actor=agent, amount=12_345, resolution="reimburse")
    return ClaimPayout.objects.get(claim=claim)


@pytest.fixture
def finance(make_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(make_user(Role.FINANCE))
    return client


def _pain002(reference: str, statuses: dict[str, str]) -> bytes:
    rows = "".join(
        f"<TxInfAndSts><OrgnlEndToEndId>{e2e}</OrgnlEndToEndId><TxSts>{status}</TxSts>"
        + ("<StsRsnInf><Rsn><Cd>AC01</Cd></Rsn></StsRsnInf>" if status == "RJCT" else "")
        + "</TxInfAndSts>"
        for e2e, status in statuses.items()
    )
    return (
        '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">'
        f"<CstmrPmtStsRpt><GrpHdr><MsgId>ST1</MsgId></GrpHdr><OrgnlGrpInfAndSts>"
        f"<OrgnlMsgId>{reference}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>"
        f"</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts>{rows}</OrgnlPmtInfAndSts></CstmrPmtStsRpt>"
        "</Document>"
    ).encode()


def test_a_reimbursement_is_paid_once_through_a_pain001_file_read_back(sell, make_user, finance):
    payout = _approved(sell, make_user, currency="EUR")
    assert payout.state == "awaiting_details" and payout.method == "sepa"
    shopper = shopper_client(payout.claim.contract)
    url = f"/api/v1/portal/claims/{payout.claim.number}/payout/"
    refused = shopper.put(
        url, {"account_holder": "Anna Nowak", "iban": "DE89370400440532013001"}, format="json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_bank_details"
    assert "iban" in refused.json()["fields"]
    given = shopper.put(
        url, {"account_holder": "Anna Nowak", "iban": "DE89 3704 0044 0532 0130 00"}, format="json"
    )
    assert given.status_code == 200 and given.json()["state"] == "due"
    assert given.json()["account"] == "…3000"

    made = finance.post("/api/v1/finance/payout-files/", {"currency": "EUR"}, format="json")
    assert made.status_code == 201, made.json()
    file = PayoutFile.objects.get()
    root = ET.fromstring(bytes(file.content))
    assert root.findtext(f".//{{{PAIN}}}MsgId") == file.reference
    assert root.findtext(f".//{{{PAIN}}}EndToEndId") == payout.end_to_end_id
    assert root.findtext(f".//{{{PAIN}}}InstdAmt") == "123.45"
    assert (
        root.findtext(f".//{{{PAIN}}}CdtrAcct/{{{PAIN}}}Id/{{{PAIN}}}IBAN")
        == "DE89370400440532013000"
    )
    again = finance.post("/api/v1/finance/payout-files/", {"currency": "EUR"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_pay"  # in one file only
    assert (
        shopper.put(
            url, {"account_holder": "X", "iban": "DE89370400440532013000"}, format="json"
        ).status_code
        == 409
    )
    download = finance.get(f"/api/v1/finance/payout-files/{file.pk}/download/")
    assert download.status_code == 200 and bytes(download.content) == bytes(file.content)

    report = _pain002(file.reference, {payout.end_to_end_id: "ACSC"})
    status_url = f"/api/v1/finance/payout-files/{file.pk}/status/"
    read = finance.post(
        status_url, {"report": SimpleUploadedFile("st.xml", report)}, format="multipart"
    )
    assert read.status_code == 200 and read.json() == {"paid": 1, "rejected": 0, "unchanged": 0}
    payout.refresh_from_db()
    assert payout.state == "paid" and payout.paid_at is not None
    read = finance.post(
        status_url, {"report": SimpleUploadedFile("st.xml", report)}, format="multipart"
    )
    assert read.json() == {"paid": 0, "rejected": 0, "unchanged": 1}  # read twice: paid once
    assert LedgerTransaction.objects.filter(kind="claim_payout").count() == 1
    # Owed when the claim was approved, paid out of the bank now: nothing is owed.
    payable = Entry.objects.filter(account__key="claims_payable:EUR").aggregate(t=Sum("amount"))
    assert payable["t"] == 0
    bank = Entry.objects.filter(account__key="bank_cash:EUR").aggregate(t=Sum("amount"))
    assert bank["t"] == -12_345
    assert shopper.get(url).json()["state"] == "paid"


def test_a_rejected_transfer_goes_back_to_the_shopper_and_bad_reports_are_400(
    sell, make_user, finance
):
    payout = _approved(sell, make_user, currency="PLN")
    shopper = shopper_client(payout.claim.contract)
    url = f"/api/v1/portal/claims/{payout.claim.number}/payout/"
    shopper.put(
        url,
        {"account_holder": "Jan Kowalski", "iban": "PL61109010140000071219812874"},
        format="json",
    )
    file = PayoutFile.objects.get(
        pk=finance.post("/api/v1/finance/payout-files/", {"currency": "PLN"}, format="json").json()[
            "id"
        ]
    )
    status_url = f"/api/v1/finance/payout-files/{file.pk}/status/"
    bad = finance.post(
        status_url, {"report": SimpleUploadedFile("x.xml", b"<not-xml")}, format="multipart"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_bank_report"
    bomb = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'
    assert (
        finance.post(
            status_url, {"report": SimpleUploadedFile("b.xml", bomb)}, format="multipart"
        ).status_code
        == 400
    )
    other = _pain002("SOMEONE-ELSES", {payout.end_to_end_id: "ACSC"})
    assert (
        finance.post(
            status_url, {"report": SimpleUploadedFile("o.xml", other)}, format="multipart"
        ).status_code
        == 400
    )
    rejected = _pain002(file.reference, {payout.end_to_end_id: "RJCT"})
    read = finance.post(
        status_url, {"report": SimpleUploadedFile("r.xml", rejected)}, format="multipart"
    )
    assert read.json()["rejected"] == 1
    payout.refresh_from_db()
    assert payout.state == "rejected" and "AC01" in payout.failure_reason
    assert not LedgerTransaction.objects.filter(kind="claim_payout").exists()
    fixed = shopper.put(
        url,
        {"account_holder": "Jan Kowalski", "iban": "PL27114020040000300201355387"},
        format="json",
    )
    assert fixed.json()["state"] == "due"


def test_a_usd_reimbursement_goes_in_a_nacha_file_and_an_ach_return_rejects_it(
    sell, make_user, finance
):
    payout = _approved(sell, make_user)
    assert payout.method == "nacha"
    shopper = shopper_client(payout.claim.contract)
    url = f"/api/v1/portal/claims/{payout.claim.number}/payout/"
    refused = shopper.put(
        url,
        {"account_holder": "Ana", "routing_number": "011000016", "account_number": "12345678"},
        format="json",
    )
    assert refused.status_code == 400 and "routing_number" in refused.json()["fields"]
    shopper.put(
        url,
        {"account_holder": "Ana", "routing_number": "011000015", "account_number": "12345678"},
        format="json",
    )
    made = finance.post("/api/v1/finance/payout-files/", {"currency": "USD"}, format="json")
    file = PayoutFile.objects.get(pk=made.json()["id"])
    records = bytes(file.content).decode().splitlines()
    assert all(len(r) == 94 for r in records) and len(records) % 10 == 0
    [entry] = [r for r in records if r.startswith("6")]
    assert entry[1:3] == "22" and entry[3:12] == "011000015" and entry[29:39] == "0000012345"
    assert entry[39:54] == payout.end_to_end_id
    ach_return = (entry[:78] + "1" + entry[79:] + "\n" + "799R03" + " " * 88 + "\n").encode()
    status_url = f"/api/v1/finance/payout-files/{file.pk}/status/"
    read = finance.post(
        status_url, {"report": SimpleUploadedFile("r.ach", ach_return)}, format="multipart"
    )
    assert read.json() == {"paid": 0, "rejected": 1, "unchanged": 0}
    assert "R03" in ClaimPayout.objects.get(pk=payout.pk).failure_reason


def test_only_finance_makes_payment_files_and_shoppers_see_only_their_own(sell, make_user):
    payout = _approved(sell, make_user)
    marketer = APIClient()
    marketer.force_authenticate(make_user(Role.MARKETING))
    assert (
        marketer.post(
            "/api/v1/finance/payout-files/", {"currency": "USD"}, format="json"
        ).status_code
        == 403
    )
    stranger = shopper_client(sell(email="someone@example.com"))
    assert stranger.get(f"/api/v1/portal/claims/{payout.claim.number}/payout/").status_code == 404
