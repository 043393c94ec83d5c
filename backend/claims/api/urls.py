from django.urls import path

from backend.claims.api import desk, merchant, portal, reasons

claim = "<str:number>"

urlpatterns = [
    # Reference data: the reasons a claim can give, in every language.
    path("claims/reasons/", reasons.ClaimReasonListView.as_view(), name="claim-reasons"),
    # The merchant, with its API key: its customers' claims only.
    path("claims/", merchant.MerchantClaimListView.as_view(), name="merchant-claims"),
    path(f"claims/{claim}/", merchant.MerchantClaimDetailView.as_view(), name="merchant-claim"),
    # The shopper, in the portal: their own claims only.
    path("portal/claims/", portal.PortalClaimListView.as_view(), name="portal-claims"),
    path(
        "portal/claims/eligibility/",
        portal.PortalEligibilityView.as_view(),
        name="portal-claim-eligibility",
    ),
    path("portal/claims/guide/", portal.PortalGuideView.as_view(), name="portal-claim-guide"),
    path("portal/claims/rate/", portal.RateView.as_view(), name="claim-rate"),
    path(f"portal/claims/{claim}/", portal.PortalClaimView.as_view(), name="portal-claim"),
    path(
        f"portal/claims/{claim}/messages/",
        portal.PortalReplyView.as_view(),
        name="portal-claim-reply",
    ),
    path(
        f"portal/claims/{claim}/withdraw/",
        portal.PortalWithdrawView.as_view(),
        name="portal-claim-withdraw",
    ),
    path(
        f"portal/claims/{claim}/appeal/",
        portal.PortalAppealView.as_view(),
        name="portal-claim-appeal",
    ),
    path(
        f"portal/claims/{claim}/evidence/<int:evidence_id>/",
        portal.PortalEvidenceView.as_view(),
        name="portal-claim-evidence",
    ),
    # The warranty desk.
    path("desk/session/", desk.DeskSessionView.as_view(), name="desk-session"),
    path("desk/claims/", desk.DeskClaimListView.as_view(), name="desk-claims"),
    path("desk/claims/take-next/", desk.DeskTakeNextView.as_view(), name="desk-take-next"),
    path(f"desk/claims/{claim}/", desk.DeskClaimView.as_view(), name="desk-claim"),
    path(f"desk/claims/{claim}/messages/", desk.DeskMessageView.as_view(), name="desk-message"),
    path(f"desk/claims/{claim}/ask/", desk.DeskAskView.as_view(), name="desk-ask"),
    path(f"desk/claims/{claim}/approve/", desk.DeskApproveView.as_view(), name="desk-approve"),
    path(f"desk/claims/{claim}/deny/", desk.DeskDenyView.as_view(), name="desk-deny"),
    path(f"desk/claims/{claim}/decide/", desk.DeskDecideView.as_view(), name="desk-decide"),
    path(f"desk/claims/{claim}/assign/", desk.DeskAssignView.as_view(), name="desk-assign"),
    path(f"desk/claims/{claim}/take/", desk.DeskTakeView.as_view(), name="desk-take"),
    path(f"desk/claims/{claim}/fulfil/", desk.DeskFulfilView.as_view(), name="desk-fulfil"),
    path(
        f"desk/claims/{claim}/resolution/",
        desk.DeskResolutionView.as_view(),
        name="desk-resolution",
    ),
    path(f"desk/claims/{claim}/close/", desk.DeskCloseView.as_view(), name="desk-close"),
    path(f"desk/claims/{claim}/canned/", desk.DeskCannedView.as_view(), name="desk-canned"),
    path(
        f"desk/claims/{claim}/evidence/<int:evidence_id>/",
        desk.DeskEvidenceView.as_view(),
        name="desk-claim-evidence",
    ),
    path("desk/queues/", desk.DeskQueueListView.as_view(), name="desk-queues"),
    path("desk/partners/", desk.DeskPartnerListView.as_view(), name="desk-partners"),
    path("desk/metrics/", desk.DeskMetricsView.as_view(), name="desk-metrics"),
]
