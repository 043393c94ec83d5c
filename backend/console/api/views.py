from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.console.selectors import go_live_checklist
from backend.merchants.api.permissions import IsMerchant, request_merchant


class StepSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[
            "support_contact",
            "plans",
            "catalogue",
            "api_key",
            "widget_origins",
            "webhooks",
            "payouts",
        ]
    )
    done = serializers.BooleanField()
    required = serializers.BooleanField()
    tab = serializers.CharField(help_text="The merchant console's tab where it is done.")


class ChecklistSerializer(serializers.Serializer):
    ready = serializers.BooleanField(help_text="Every required step is done.")
    steps = StepSerializer(many=True)


class ChecklistView(APIView):
    """What is left before you go live: your support contact, plans switched on, products
    in the catalogue, an API key, the widget's allowed sites, a webhook endpoint that has
    received an event (advised), and a payout account that can be paid."""

    permission_classes = [IsMerchant]

    @extend_schema(responses=ChecklistSerializer)
    def get(self, request):
        steps = go_live_checklist(request_merchant(request))
        return Response(
            ChecklistSerializer(
                {"ready": all(s.done for s in steps if s.required), "steps": steps}
            ).data
        )
