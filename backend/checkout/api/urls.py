from django.urls import path, re_path

from backend.checkout.api import views

urlpatterns = [
    re_path(
        rf"^orders/(?P<merchant_order_id>{views.ORDER_ID})/$",
        views.OrderView.as_view(),
        name="order",
    ),
    re_path(
        rf"^orders/(?P<merchant_order_id>{views.ORDER_ID})/returns/$",
        views.OrderReturnView.as_view(),
        name="order-returns",
    ),
    path(
        "contracts/<str:number>/cancel/", views.ContractCancelView.as_view(), name="contract-cancel"
    ),
]
