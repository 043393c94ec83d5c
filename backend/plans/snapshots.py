"""A plan as a contract records it at sale: its terms and the parties to it. Later
catalogue edits never change a contract (DESIGN.md)."""

from backend.plans.models import Plan, PlanPrice
from backend.plans.texts import plan_texts


def _party_snapshot(party) -> dict | None:
    if party is None:
        return None
    return {
        "legal_name": party.legal_name,
        "mailing_address": party.mailing_address,
        "toll_free_phone": party.toll_free_phone,
        "email": party.email,
        "registration_numbers": party.registration_numbers,
    }


def plan_parties(plan: Plan) -> dict:
    """The provider and administrator as a contract records them."""
    provider = plan.provider
    return {
        "provider": {
            **_party_snapshot(provider),
            "backing": provider.backing,
            "insurer_name": provider.insurer_name,
            "insurer_address": provider.insurer_address,
            "insurer_phone": provider.insurer_phone,
        },
        "administrator": _party_snapshot(plan.administrator),
    }


def plan_snapshot(plan: Plan, band: PlanPrice) -> dict:
    """The plan's terms as sold. Later catalogue edits never change a contract."""
    return {
        "code": plan.code,
        "name": plan.name,
        "coverage": plan.coverage,
        "term_months": plan.term_months,
        "service_type": plan.service_type,
        "waiting_period_days": plan.waiting_period_days,
        "coverage_starts": plan.coverage_starts,
        "summary": plan.summary,
        "covered": plan.covered,
        "exclusions": plan.exclusions,
        # Every language's name, summary, coverage and exclusions, as sold (plans.texts).
        "texts": plan_texts(plan),
        "transferable": plan.transferable,
        "terms_template": plan.terms_template,
        "deductible": band.deductible,
        "cancellation_fee": band.cancellation_fee,
        **plan_parties(plan),
    }
