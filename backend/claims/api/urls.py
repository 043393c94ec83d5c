from django.urls import path

from backend.claims.api import views

claim = "<str:number>"

urlpatterns = [
    # The shopper, in the portal: their own claims only.
    path("portal/claims/", views.PortalClaimListView.as_view(), name="portal-claims"),
    path(
        "portal/claims/eligibility/",
        views.PortalEligibilityView.as_view(),
        name="portal-claim-eligibility",
    ),
    path("portal/claims/guide/", views.PortalGuideView.as_view(), name="portal-claim-guide"),
    path("portal/claims/rate/", views.RateView.as_view(), name="claim-rate"),
    path(f"portal/claims/{claim}/", views.PortalClaimView.as_view(), name="portal-claim"),
    path(
        f"portal/claims/{claim}/messages/",
        views.PortalReplyView.as_view(),
        name="portal-claim-reply",
    ),
    path(
        f"portal/claims/{claim}/withdraw/",
        views.PortalWithdrawView.as_view(),
        name="portal-claim-withdraw",
    ),
    path(
        f"portal/claims/{claim}/appeal/",
        views.PortalAppealView.as_view(),
        name="portal-claim-appeal",
    ),
    path(
        f"portal/claims/{claim}/evidence/<int:evidence_id>/",
        views.PortalEvidenceView.as_view(),
        name="portal-claim-evidence",
    ),
    # The warranty desk.
    path("desk/session/", views.DeskSessionView.as_view(), name="desk-session"),
    path("desk/claims/", views.DeskClaimListView.as_view(), name="desk-claims"),
    path("desk/claims/take-next/", views.DeskTakeNextView.as_view(), name="desk-take-next"),
    path(f"desk/claims/{claim}/", views.DeskClaimView.as_view(), name="desk-claim"),
    path(f"desk/claims/{claim}/messages/", views.DeskMessageView.as_view(), name="desk-message"),
    path(f"desk/claims/{claim}/ask/", views.DeskAskView.as_view(), name="desk-ask"),
    path(f"desk/claims/{claim}/approve/", views.DeskApproveView.as_view(), name="desk-approve"),
    path(f"desk/claims/{claim}/deny/", views.DeskDenyView.as_view(), name="desk-deny"),
    path(f"desk/claims/{claim}/decide/", views.DeskDecideView.as_view(), name="desk-decide"),
    path(f"desk/claims/{claim}/assign/", views.DeskAssignView.as_view(), name="desk-assign"),
    path(f"desk/claims/{claim}/take/", views.DeskTakeView.as_view(), name="desk-take"),
    path(f"desk/claims/{claim}/fulfil/", views.DeskFulfilView.as_view(), name="desk-fulfil"),
    path(
        f"desk/claims/{claim}/resolution/",
        views.DeskResolutionView.as_view(),
        name="desk-resolution",
    ),
    path(f"desk/claims/{claim}/close/", views.DeskCloseView.as_view(), name="desk-close"),
    path(f"desk/claims/{claim}/canned/", views.DeskCannedView.as_view(), name="desk-canned"),
    path(
        f"desk/claims/{claim}/evidence/<int:evidence_id>/",
        views.DeskEvidenceView.as_view(),
        name="desk-claim-evidence",
    ),
    path("desk/queues/", views.DeskQueueListView.as_view(), name="desk-queues"),
    path("desk/partners/", views.DeskPartnerListView.as_view(), name="desk-partners"),
    path("desk/metrics/", views.DeskMetricsView.as_view(), name="desk-metrics"),
]
