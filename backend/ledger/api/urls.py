from django.urls import path

from backend.ledger.api import views

urlpatterns = [
    path("finance/reconciliation/", views.ReconciliationView.as_view(), name="reconciliation"),
    path(
        "finance/reconciliation/differences/<int:pk>/resolve/",
        views.DifferenceResolveView.as_view(),
        name="difference-resolve",
    ),
]
