"""Whether a contract can take a claim, with every reason it cannot, in the shopper's words.

DESIGN.md: claims are allowed only while the contract is active, after the waiting period and
inside the coverage window. The plan decides what it covers: accidental damage only with
``adh`` coverage; no plan covers loss or theft. An exhausted limit of liability pays nothing.
"""

from dataclasses import asdict, dataclass

from babel.dates import format_date
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.claims.choices import ACCIDENTAL_REASONS, ClaimReason
from backend.common.money import babel_locale
from backend.contracts.choices import ContractState


@dataclass(frozen=True)
class Ineligible:
    code: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def _day(value, language: str) -> str:
    return format_date(value, format="long", locale=babel_locale(language))


def claim_eligibility(
    contract, *, reason: str, failure_date, language: str = "en", today=None
) -> list[Ineligible]:
    """Every reason this claim cannot be filed; empty when it can."""
    today = today or timezone.localdate()
    if contract.state != ContractState.ACTIVE:
        return [
            Ineligible(
                "contract_not_active",
                _("This contract is %(state)s, so it cannot take new claims.")
                % {"state": contract.get_state_display().lower()},
            )
        ]
    problems = []
    if failure_date > today:
        problems.append(
            Ineligible("failure_date_in_future", _("The failure date cannot be in the future."))
        )
    if contract.waiting_period_ends and failure_date < contract.waiting_period_ends:
        problems.append(
            Ineligible(
                "in_waiting_period",
                _(
                    "The plan covers failures from %(date)s, when its waiting period ends; "
                    "this one happened before."
                )
                % {"date": _day(contract.waiting_period_ends, language)},
            )
        )
    if contract.coverage_start and failure_date < contract.coverage_start:
        problems.append(
            Ineligible(
                "before_coverage",
                _(
                    "Coverage starts on %(date)s. Before then, the manufacturer's warranty "
                    "covers the product: contact the manufacturer or the store."
                )
                % {"date": _day(contract.coverage_start, language)},
            )
        )
    if contract.coverage_end and failure_date > contract.coverage_end:
        problems.append(
            Ineligible(
                "after_coverage",
                _("Coverage ended on %(date)s.") % {"date": _day(contract.coverage_end, language)},
            )
        )
    coverage = contract.plan_snapshot.get("coverage")
    if reason in ACCIDENTAL_REASONS and coverage != "adh":
        problems.append(
            Ineligible(
                "accident_not_covered",
                _("This plan covers breakdowns, not accidental damage such as drops and spills."),
            )
        )
    if reason in (ClaimReason.LOST, ClaimReason.STOLEN):
        problems.append(
            Ineligible(
                "loss_not_covered",
                _(
                    "Protection plans do not cover lost or stolen products; your home or "
                    "renter's insurance may."
                ),
            )
        )
    if contract.limit_remaining <= 0:
        problems.append(
            Ineligible(
                "limit_used_up",
                _("The plan's limit of liability has been paid out in full."),
            )
        )
    return problems
