"""The desk's clocks: SLA breaches, reminders, closing unanswered and finished claims."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from backend.accounts.choices import Role
from backend.claims.desk import claim_ask_customer, claim_take_next
from backend.claims.models import Claim
from backend.claims.sweep import claims_sweep
from tests.claims.conftest import actor_for, file_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(contract, shopper):
    response = file_claim(shopper, contract)
    return Claim.objects.get(number=response.json()["number"])


def test_a_breach_raises_priority_once_and_tells_supervisors(
    claim, make_user, django_capture_on_commit_callbacks
):
    supervisor = make_user(Role.DESK_SUPERVISOR)
    mail.outbox.clear()
    later = timezone.now() + timedelta(hours=25)  # past the 24-hour first response
    with django_capture_on_commit_callbacks(execute=True):
        assert claims_sweep(now=later)["breached"] == 1
    claim.refresh_from_db()
    assert claim.priority == 2 and claim.sla_breached_at == later
    assert claim.events.get(name="sla_breach").reason == "first response overdue"
    [alert] = [m for m in mail.outbox if m.to == [supervisor.email]]
    assert claim.number in alert.body
    assert claims_sweep(now=later + timedelta(hours=1))["breached"] == 0  # once


def test_a_first_response_in_time_leaves_the_decision_clock(claim, agent):
    claim_take_next(actor=actor_for(agent))
    from backend.claims.desk import claim_message

    claim_message(claim_id=claim.pk, actor=actor_for(agent), body="On it.", internal=False)
    assert claims_sweep(now=timezone.now() + timedelta(hours=30))["breached"] == 0
    assert claims_sweep(now=timezone.now() + timedelta(hours=121))["breached"] == 1
    assert Claim.objects.get(pk=claim.pk).events.get(name="sla_breach").reason == (
        "decision overdue"
    )


def test_reminders_then_the_claim_closes_itself(claim, agent, django_capture_on_commit_callbacks):
    claim_take_next(actor=actor_for(agent))
    claim_ask_customer(claim_id=claim.pk, actor=actor_for(agent), body="A photo, please?")
    mail.outbox.clear()
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert claims_sweep(now=start + timedelta(days=1))["reminded"] == 0
        assert claims_sweep(now=start + timedelta(days=3, minutes=1))["reminded"] == 1
        assert claims_sweep(now=start + timedelta(days=3, minutes=2))["reminded"] == 0
        assert claims_sweep(now=start + timedelta(days=6, minutes=1))["reminded"] == 1
        assert claims_sweep(now=start + timedelta(days=10))["reminded"] == 0  # two at most
        closed = claims_sweep(now=start + timedelta(days=14, minutes=1))
    assert closed["closed_no_reply"] == 1
    claim.refresh_from_db()
    assert claim.state == "closed" and claim.events.filter(name="close").exists()
    subjects = [m.subject for m in mail.outbox]
    assert sum("Reminder" in s for s in subjects) == 2
    assert any("is closed" in s for s in subjects)
    assert all("A photo, please?" in m.body for m in mail.outbox if "Reminder" in m.subject)


def test_resolved_and_denied_claims_close_when_their_time_is_up(claim, sell, shopper, agent):
    from backend.claims.desk import claim_deny

    claim_take_next(actor=actor_for(agent))
    claim_deny(claim_id=claim.pk, actor=actor_for(agent), note="Not covered.")
    assert claims_sweep(now=timezone.now() + timedelta(days=29))["closed"] == 0
    assert claims_sweep(now=timezone.now() + timedelta(days=31))["closed"] == 1
    assert Claim.objects.get(pk=claim.pk).state == "closed"


def test_the_sweep_is_a_periodic_task():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["claims-sweep"]["task"] == "claims.sweep"
