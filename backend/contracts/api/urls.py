from django.urls import path

from backend.contracts.api import views

urlpatterns = [
    path("contracts/", views.ContractListView.as_view(), name="contract-list"),
    path("contracts/<str:number>/", views.ContractDetailView.as_view(), name="contract-detail"),
    path(
        "contracts/<str:number>/refund-quote/",
        views.RefundQuoteView.as_view(),
        name="contract-refund-quote",
    ),
]
