"""The contract's transitions, through the helper shared with claims (``common.transitions``):
lock, check, transition, save, audit row and domain event, in one place."""

from django.utils.translation import gettext_lazy

from backend.common.transitions import Transitions
from backend.contracts.models import Contract, ContractEvent

CONTRACTS = Transitions(
    Contract,
    ContractEvent,
    "contract",
    refusal=gettext_lazy("Contract %(number)s is %(state)s and cannot be %(action)s."),
)
