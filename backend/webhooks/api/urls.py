from django.urls import path

from backend.webhooks.api import views

urlpatterns = [
    path("webhook-endpoints/", views.EndpointListCreateView.as_view(), name="webhook-endpoints"),
    path(
        "webhook-endpoints/<int:pk>/", views.EndpointDetailView.as_view(), name="webhook-endpoint"
    ),
    path(
        "webhook-endpoints/<int:pk>/deliveries/",
        views.DeliveryListView.as_view(),
        name="webhook-deliveries",
    ),
    path("webhook-endpoints/<int:pk>/test/", views.EndpointTestView.as_view(), name="webhook-test"),
    path(
        "webhook-endpoints/<int:pk>/deliveries/<int:delivery_id>/resend/",
        views.DeliveryResendView.as_view(),
        name="webhook-resend",
    ),
]
