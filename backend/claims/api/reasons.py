"""``GET /api/v1/claims/reasons/``: the reasons a claim can give, with their names in every
language, as the desk reads them and as the portal asks the shopper. No authentication."""

from django.utils import translation
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from backend.claims.choices import ACCIDENTAL_REASONS, SHOPPER_REASON_WORDING, ClaimReason
from backend.common.api.fields import StrictCharField
from backend.common.api.reference import ReferenceDataView, names_by_language


def _in(language: str, text) -> str:
    with translation.override(language):
        return str(text)


def claim_reason_serializer(**kwargs):
    return inline_serializer(
        "ClaimReason",
        {
            "value": serializers.ChoiceField(choices=ClaimReason.choices),
            "label": serializers.DictField(
                child=StrictCharField(), help_text="The desk's name for it, by language code."
            ),
            "shopper_label": serializers.DictField(
                child=StrictCharField(), help_text="How the portal asks the shopper, by language."
            ),
            "needs_accident_cover": serializers.BooleanField(
                help_text="Only a plan that covers accidental damage pays for it."
            ),
        },
        **kwargs,
    )


class ClaimReasonListView(ReferenceDataView):
    """Every reason, with the desk's name for it and the portal's question by language."""

    @extend_schema(responses=claim_reason_serializer(many=True))
    def get(self, request):
        return Response(
            [
                {
                    "value": reason.value,
                    "label": names_by_language(lambda lang, r=reason: _in(lang, r.label)),
                    "shopper_label": names_by_language(
                        lambda lang, r=reason: _in(lang, SHOPPER_REASON_WORDING[r])
                    ),
                    "needs_accident_cover": reason in ACCIDENTAL_REASONS,
                }
                for reason in ClaimReason
            ]
        )
