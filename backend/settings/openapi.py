"""drf-spectacular's settings: how the API describes itself at ``/api/schema/``."""

OPENAPI_SETTINGS = {
    "TITLE": "Coverdesk API",
    "DESCRIPTION": (
        "Product-protection marketplace API: catalogue, plan offers, orders, contracts and claims. "
        "Merchants authenticate with `Authorization: Api-Key <key>`. Every error body is "
        '`{"code": ..., "message": ..., "fields": {...}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI assets served from this site: nothing is fetched from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "WebhookEventTypeEnum": "backend.webhooks.choices.WebhookEventType",
        "ContractStateEnum": "backend.contracts.choices.ContractState",
        "PaymentStateEnum": "backend.payments.choices.PaymentStatus",
        "DeliveryStateEnum": "backend.webhooks.choices.DeliveryState",
        "RefundStateEnum": "backend.payments.choices.RefundState",
        "ClaimStateEnum": "backend.claims.choices.ClaimState",
        "ClaimReasonEnum": "backend.claims.choices.ClaimReason",
        "ResolutionKindEnum": "backend.claims.choices.ResolutionKind",
        "ResolutionStateEnum": "backend.claims.choices.ResolutionState",
        "EvidenceKindEnum": "backend.claims.choices.EvidenceKind",
        "MessageAuthorEnum": "backend.claims.choices.MessageAuthor",
        "PayoutMethodEnum": "backend.claims.choices.PayoutMethod",
        "CancellationReasonEnum": "backend.contracts.choices.CancellationReason",
        "DocumentKindEnum": "backend.documents.choices.DocumentKind",
        "StatementStateEnum": "backend.settlement.choices.StatementState",
        "MerchantPayoutStateEnum": "backend.settlement.choices.PayoutState",
        "ClaimPayoutStateEnum": "backend.settlement.choices.ClaimPayoutState",
        "ClaimPayoutMethodEnum": "backend.settlement.choices.PayoutMethod",
        "PayoutFileStateEnum": "backend.settlement.choices.PayoutFileState",
        "SettlementCadenceEnum": "backend.settlement.choices.Cadence",
        "StatementLineCategoryEnum": "backend.settlement.choices.LineCategory",
        "ReconciliationDifferenceKindEnum": "backend.ledger.choices.DifferenceKind",
        "PayoutAccountStateEnum": ["not_started", "pending", "active"],
        "ReturnKindEnum": "backend.checkout.choices.ReturnKind",
        "ReturnUnitOutcomeEnum": ["cancelled", "kept", "exchanged"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.common.api.schema.add_error_responses",
    ],
}
