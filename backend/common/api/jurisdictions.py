"""``GET /api/v1/jurisdictions/``: where Coverdesk sells, so that a merchant's integration
and the widget offer the same list the API accepts as a shopper's ``jurisdiction``."""

from functools import cache

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from backend.common.api.fields import StrictCharField
from backend.common.api.reference import ReferenceDataView, names_by_language
from backend.common.jurisdictions import place_name
from backend.common.packs import jurisdictions_served, pack_code_for


@cache
def jurisdiction_rows() -> tuple[dict, ...]:
    return tuple(
        {
            "code": code,
            "pack": pack_code_for(code),
            "names": names_by_language(lambda language, code=code: place_name(code, language)),
        }
        for code in jurisdictions_served()
    )


def jurisdiction_serializer(**kwargs):
    return inline_serializer(
        "Jurisdiction",
        {
            "code": StrictCharField(help_text="ISO 3166: a country, or a US state (``US-CA``)."),
            "pack": StrictCharField(help_text="The legal pack that governs sales there."),
            "names": serializers.DictField(
                child=StrictCharField(), help_text="Its name, by language code."
            ),
        },
        **kwargs,
    )


class JurisdictionListView(ReferenceDataView):
    """Every jurisdiction a shopper may live in for plans to be offered, by code, with its
    name in each language. No authentication."""

    @extend_schema(responses=jurisdiction_serializer(many=True))
    def get(self, request):
        return Response(list(jurisdiction_rows()))
