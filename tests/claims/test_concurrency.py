"""Take-next and decisions under real concurrency, on PostgreSQL (FOR UPDATE SKIP LOCKED)."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from backend.accounts.choices import Role
from backend.claims.desk import claim_approve, claim_deny, claim_take_next
from backend.claims.models import Claim
from backend.common.actors import Actor, ActorKind
from backend.common.transitions import InvalidTransition

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _claims(contract, count: int) -> None:
    now = timezone.now()
    Claim.objects.bulk_create(
        [
            Claim(
                number=f"CL-LOAD-{n:06d}",
                contract=contract,
                customer_id=contract.customer_id,
                merchant_id=contract.merchant_id,
                category="phones",
                reason="mechanical_failure",
                failure_date=timezone.localdate(),
                description="load",
                currency="USD",
                priority=n % 4,
                first_response_due=now + timedelta(hours=24),
                decision_due=now + timedelta(minutes=n % 97),
            )
            for n in range(count)
        ],
        batch_size=1000,
    )


def _run(threads):
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)


def test_sixteen_agents_taking_next_from_2000_claims_never_share_one(contract, make_user):
    _claims(contract, 2000)
    agents = [make_user(Role.DESK_AGENT) for _ in range(16)]
    taken: list[tuple[int, int]] = []
    errors = []
    barrier = threading.Barrier(len(agents))
    lock = threading.Lock()

    def work(user):
        actor = Actor.person(ActorKind.STAFF, user)
        mine = []
        try:
            barrier.wait(timeout=30)
            while (claim := claim_take_next(actor=actor)) is not None:
                mine.append((claim.pk, user.pk))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            with lock:
                taken.extend(mine)
            connection.close()

    _run([threading.Thread(target=work, args=(u,)) for u in agents])
    assert errors == []
    counts = Counter(claim_id for claim_id, _user in taken)
    assert len(counts) == 2000 and max(counts.values()) == 1  # zero double assignments
    assigned = dict(Claim.objects.values_list("pk", "assignee_id"))
    assert all(assigned[claim_id] == user_id for claim_id, user_id in taken)
    assert len({user for _c, user in taken}) > 1  # the work was shared
    assert Claim.objects.filter(state="in_review").count() == 2000


def test_two_people_deciding_one_claim_at_once_one_wins(contract, make_user):
    _claims(contract, 1)
    agent, supervisor = make_user(Role.DESK_AGENT), make_user(Role.DESK_SUPERVISOR)
    claim = claim_take_next(actor=Actor.person(ActorKind.STAFF, agent))
    Claim.objects.filter(pk=claim.pk).update(assignee=None)  # anyone may decide it
    outcomes = []
    barrier = threading.Barrier(2)

    def decide(fn):
        try:
            barrier.wait(timeout=10)
            fn()
            outcomes.append("won")
        except InvalidTransition:
            outcomes.append("409")
        finally:
            connection.close()

    approve = lambda: claim_approve(  # noqa: E731
        claim_id=claim.pk,
        actor=Actor.person(ActorKind.STAFF, agent),
        amount=1_000,
        resolution="repair",
    )
    deny = lambda: claim_deny(  # noqa: E731
        claim_id=claim.pk, actor=Actor.person(ActorKind.STAFF, supervisor), note="No."
    )
    _run([threading.Thread(target=decide, args=(fn,)) for fn in (approve, deny)])
    assert sorted(outcomes) == ["409", "won"]
    assert Claim.objects.get(pk=claim.pk).state in ("approved", "denied")
    assert Claim.objects.get(pk=claim.pk).events.filter(name__in=["approve", "deny"]).count() == 1
