"""Where a plan cannot be sold: the packs under which its contract documents could not be
compliant, for want of provider or administrator data or of text in the binding language.
The catalogue leaves the plan out of offers there, and the admin shows why."""

from backend.common.packs import load_packs
from backend.legal.compliance import party_gaps
from backend.legal.text import language_name
from backend.plans.snapshots import plan_parties
from backend.plans.texts import plan_texts


def plan_disclosure_gaps(plan) -> dict[str, list[str]]:
    """Per pack, why the plan's contract documents could not be compliant there (so the plan
    is never offered there). Empty when it can be sold under every pack."""
    parties = plan_parties(plan)
    written_in = plan_texts(plan)
    gaps = {}
    for code, pack in load_packs().items():
        if plan.terms_template not in pack.document_versions:
            gaps[code] = [f"the pack issues no {plan.terms_template} documents"]
            continue
        found = party_gaps(pack, plan.terms_template, parties)
        if pack.binding_language not in written_in:
            found.append(
                f"the plan has no text in {language_name(pack.binding_language, 'en')} "
                "(name, summary, coverage and exclusions)"
            )
        if found:
            gaps[code] = found
    return gaps
