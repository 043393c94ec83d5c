from django.urls import path

from backend.payments.api import views

urlpatterns = [
    path("webhooks/stripe/", views.StripeWebhookView.as_view(), name="stripe-webhook"),
]
