from django.urls import path

from backend.widget import views

urlpatterns = [
    path("widget/config/", views.WidgetConfigView.as_view(), name="widget-config"),
    path(
        "widget/jurisdictions/",
        views.WidgetJurisdictionsView.as_view(),
        name="widget-jurisdictions",
    ),
    path("widget/offers/", views.WidgetOffersView.as_view(), name="widget-offers"),
    path("widget/checkout/", views.WidgetCheckoutView.as_view(), name="widget-checkout"),
    path("widget/pay/", views.WidgetPayView.as_view(), name="widget-pay"),
]
