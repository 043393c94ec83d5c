from django.urls import path

from backend.plans.api import views

urlpatterns = [
    path("offers/", views.OffersView.as_view(), name="offers"),
    path("plans/", views.PlanListView.as_view(), name="plan-list"),
    path("merchant/plans/", views.OfferingListView.as_view(), name="merchant-plans"),
    path("merchant/plans/order/", views.OfferingOrderView.as_view(), name="merchant-plans-order"),
    path("merchant/plans/<str:code>/", views.OfferingDetailView.as_view(), name="merchant-plan"),
]
