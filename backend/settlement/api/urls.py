from django.urls import path

from backend.settlement.api import claim_payouts, views

urlpatterns = [
    path("settlement/", views.SettlementView.as_view(), name="settlement"),
    path("settlement/onboarding/", views.OnboardingView.as_view(), name="settlement-onboarding"),
    path("statements/", views.StatementListView.as_view(), name="statements"),
    path("statements/<int:pk>/", views.StatementDetailView.as_view(), name="statement"),
    path(
        "statements/<int:pk>/lines/", views.StatementLineListView.as_view(), name="statement-lines"
    ),
    path("statements/<int:pk>/csv/", views.StatementCsvView.as_view(), name="statement-csv"),
    path("statements/<int:pk>/pdf/", views.StatementPdfView.as_view(), name="statement-pdf"),
    path("payouts/", views.PayoutListView.as_view(), name="payouts"),
    path("finance/payouts/", views.FinancePayoutListView.as_view(), name="finance-payouts"),
    path(
        "finance/payouts/<int:pk>/retry/",
        views.FinancePayoutRetryView.as_view(),
        name="finance-payout-retry",
    ),
    path(
        "portal/claims/<str:number>/payout/",
        claim_payouts.PortalClaimPayoutView.as_view(),
        name="portal-claim-payout",
    ),
    path(
        "finance/payout-files/",
        claim_payouts.PayoutFileListView.as_view(),
        name="payout-files",
    ),
    path(
        "finance/payout-files/<int:pk>/download/",
        claim_payouts.PayoutFileDownloadView.as_view(),
        name="payout-file-download",
    ),
    path(
        "finance/payout-files/<int:pk>/status/",
        claim_payouts.PayoutFileStatusView.as_view(),
        name="payout-file-status",
    ),
]
