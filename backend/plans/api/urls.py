from django.urls import path

from backend.plans.api import views

urlpatterns = [
    path("offers/", views.OffersView.as_view(), name="offers"),
    path("plans/", views.PlanListView.as_view(), name="plan-list"),
]
