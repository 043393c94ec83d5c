from django.urls import path

from backend.console.api import views

urlpatterns = [
    path("merchant/checklist/", views.ChecklistView.as_view(), name="merchant-checklist"),
]
