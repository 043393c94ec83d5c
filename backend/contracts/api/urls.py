from django.urls import path, re_path

from backend.contracts.api import views

urlpatterns = [
    re_path(
        rf"^orders/(?P<merchant_order_id>{views.ORDER_ID})/$",
        views.OrderView.as_view(),
        name="order",
    ),
    path("contracts/", views.ContractListView.as_view(), name="contract-list"),
    path("contracts/<str:number>/", views.ContractDetailView.as_view(), name="contract-detail"),
    path(
        "contracts/<str:number>/refund-quote/",
        views.RefundQuoteView.as_view(),
        name="contract-refund-quote",
    ),
    path(
        "contracts/<str:number>/cancel/", views.ContractCancelView.as_view(), name="contract-cancel"
    ),
]
