"""The rule between claims and cancellation (DESIGN: no money goes out on a cancelled or
voided contract, and a refund deducts every claim paid):

- a contract with a claim still to be decided, or approved with nothing sent yet, cannot be
  cancelled (409 claim_open): the claim is decided and fulfilled, or withdrawn, first;
- once a claim is being fulfilled its amount is in the claims paid, and cancelling then
  refunds the price less it;
- nothing is approved or sent on a cancelled, voided or fulfilled contract (409
  contract_not_payable);
- a claim filed during the term is still honoured after the contract expires.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from backend.accounts.choices import Role
from backend.checkout.cancellation import contract_cancel
from backend.claims.desk import claim_approve, claim_take_next
from backend.claims.fulfilment import claim_fulfil
from backend.claims.models import Claim, ClaimResolution
from backend.claims.services import claim_file, claim_withdraw
from backend.common.actors import Actor, ActorKind
from backend.common.exceptions import Conflict
from backend.contracts.models import Contract
from backend.contracts.services import contract_void, contracts_expire_due
from backend.payments.models import Refund

TODAY = timezone.localdate


def _claimable(contract) -> Contract:
    """A contract bought 60 days ago, its waiting period over, covered from purchase."""
    bought = timezone.now() - timedelta(days=60)
    Contract.objects.filter(pk=contract.pk).update(
        purchased_at=bought,
        coverage_start=timezone.localdate(bought),
        waiting_period_ends=TODAY() - timedelta(days=30),
    )
    return Contract.objects.select_related("customer").get(pk=contract.pk)


def _file(contract) -> Claim:
    claim, _failed = claim_file(
        contract=contract,
        actor=Actor(ActorKind.SHOPPER, "shopper"),
        reason="mechanical_failure",
        failure_date=TODAY() - timedelta(days=1),
        description="It no longer turns on.",
    )
    return claim


def _in_review(contract, agent) -> Claim:
    claim = _file(contract)
    taken = claim_take_next(actor=agent, queryset=Claim.objects.filter(pk=claim.pk))
    assert taken is not None and taken.state == "in_review"
    return taken


@pytest.fixture
def agent(make_user):
    return Actor.person(ActorKind.STAFF, make_user(Role.DESK_AGENT))


def _cancel(contract):
    return contract_cancel(
        contract_id=contract.pk, actor=Actor.system("test"), reason="customer_request"
    )


@pytest.mark.django_db
class TestTheRule:
    def test_an_undecided_claim_holds_off_cancellation_until_it_is_withdrawn(self, sell, agent):
        contract = _claimable(sell())
        claim = _file(contract)
        with pytest.raises(Conflict) as refused:
            _cancel(contract)
        assert refused.value.code == "claim_open" and refused.value.extra["claims"] == [
            claim.number
        ]
        assert Contract.objects.get(pk=contract.pk).state == "active"
        assert not Refund.objects.exists()
        claim_withdraw(claim_id=claim.pk, actor=Actor(ActorKind.SHOPPER, "shopper"))
        contract, refund = _cancel(contract)
        assert contract.state == "cancelled" and refund.amount > 0

    def test_an_approved_claim_holds_it_off_until_fulfilment_and_the_refund_deducts_it(
        self, sell, agent, make_user
    ):
        contract = _claimable(sell())
        # Ohio follows the model act's default rules, which deduct claims paid (California,
        # where the contract was sold, refunds pro rata without deducting them).
        Contract.objects.filter(pk=contract.pk).update(jurisdiction="US-OH")
        claim = _in_review(contract, agent)
        claim_approve(claim_id=claim.pk, actor=agent, amount=2_000, resolution="reimburse")
        with pytest.raises(Conflict) as refused:
            _cancel(contract)
        assert refused.value.code == "claim_open"
        claim_fulfil(claim_id=claim.pk, actor=agent, payout_method="bank_transfer")
        contract, refund = _cancel(Contract.objects.get(pk=contract.pk))
        assert contract.claims_paid == 2_000
        lines = {line["key"]: line["amount"] for line in refund.quote["lines"]}
        assert lines["claims_paid"] == -2_000

    def test_no_claim_is_approved_on_a_voided_contract(self, sell, agent):
        contract = _claimable(sell())
        claim = _in_review(contract, agent)
        contract_void(contract_id=contract.pk, actor=Actor.system("chargeback"), reason="dispute")
        with pytest.raises(Conflict) as refused:
            claim_approve(claim_id=claim.pk, actor=agent, amount=2_000, resolution="repair")
        assert refused.value.code == "contract_not_payable"
        contract.refresh_from_db()
        assert contract.claims_paid == 0 and Claim.objects.get(pk=claim.pk).state == "in_review"

    def test_nothing_is_sent_for_an_approval_once_the_contract_is_voided(self, sell, agent):
        contract = _claimable(sell())
        claim = _in_review(contract, agent)
        claim_approve(claim_id=claim.pk, actor=agent, amount=2_000, resolution="reimburse")
        contract_void(contract_id=contract.pk, actor=Actor.system("chargeback"), reason="dispute")
        with pytest.raises(Conflict) as refused:
            claim_fulfil(claim_id=claim.pk, actor=agent, payout_method="bank_transfer")
        assert refused.value.code == "contract_not_payable"
        assert Claim.objects.get(pk=claim.pk).state == "approved"
        assert not ClaimResolution.objects.filter(claim=claim).exists()  # no order went out

    def test_a_claim_filed_in_the_term_is_honoured_after_expiry(self, sell, agent):
        contract = _claimable(sell())
        claim = _in_review(contract, agent)
        Contract.objects.filter(pk=contract.pk).update(coverage_end=TODAY())
        assert contracts_expire_due(today=TODAY()) == 1
        approved = claim_approve(
            claim_id=claim.pk, actor=agent, amount=2_000, resolution="reimburse"
        )
        assert approved.state == "approved"
        assert Contract.objects.get(pk=contract.pk).claims_paid == 2_000
        claim_fulfil(claim_id=claim.pk, actor=agent, payout_method="bank_transfer")

    def test_a_claim_filed_after_the_term_is_not_paid_even_if_it_got_in(self, sell, agent):
        contract = _claimable(sell())
        claim = _in_review(contract, agent)
        Contract.objects.filter(pk=contract.pk).update(coverage_end=TODAY() - timedelta(days=2))
        assert contracts_expire_due(today=TODAY()) == 1
        with pytest.raises(Conflict) as refused:
            claim_approve(claim_id=claim.pk, actor=agent, amount=2_000, resolution="reimburse")
        assert refused.value.code == "contract_not_payable"

    def test_the_portal_says_why_it_cannot_cancel(self, sell, agent):
        from tests.claims.conftest import shopper_client

        contract = _claimable(sell())
        claim = _file(contract)
        response = shopper_client(contract).post(
            f"/api/v1/portal/contracts/{contract.number}/cancel/", {}, format="json"
        )
        assert response.status_code == 409 and response.json()["code"] == "claim_open"
        assert claim.number in response.json()["message"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_cancellation_and_an_approval_at_the_same_moment_give_one_outcome(paid_order, make_user):
    agent = Actor.person(ActorKind.STAFF, make_user(Role.DESK_AGENT))
    outcomes = []
    for round_ in range(6):
        _intent, numbers = paid_order(f"RACE-CLAIM-{round_}", quantity=1)
        contract = _claimable(Contract.objects.get(number=numbers[0]))
        claim = _in_review(contract, agent)
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}

        def run(name, fn, barrier=barrier, results=results):
            try:
                barrier.wait(timeout=10)
                results[name] = fn()
            except Exception as exc:  # noqa: BLE001 - asserted below
                results[name] = exc
            finally:
                connection.close()

        threads = [
            threading.Thread(target=run, args=("cancel", lambda c=contract: _cancel(c))),
            threading.Thread(
                target=run,
                args=(
                    "approve",
                    lambda c=claim: claim_approve(
                        claim_id=c.pk, actor=agent, amount=3_000, resolution="repair"
                    ),
                ),
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        contract.refresh_from_db()
        claim.refresh_from_db()
        cancelled = not isinstance(results["cancel"], Exception)
        approved = not isinstance(results["approve"], Exception)
        assert cancelled != approved, results  # exactly one of them
        if approved:
            assert results["cancel"].code == "claim_open"
            assert (contract.state, contract.claims_paid, claim.state) == (
                "active",
                3_000,
                "approved",
            )
            assert not Refund.objects.filter(contract=contract).exists()
        else:
            assert results["approve"].code == "contract_not_payable"
            assert (contract.state, contract.claims_paid, claim.state) == (
                "cancelled",
                0,
                "in_review",
            )
            quote = Refund.objects.get(contract=contract).quote
            assert "claims_paid" not in {line["key"] for line in quote["lines"]}
        outcomes.append("approved" if approved else "cancelled")
    assert len(outcomes) == 6
