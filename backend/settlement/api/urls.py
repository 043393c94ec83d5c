from django.urls import path

from backend.settlement.api import views

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
]
