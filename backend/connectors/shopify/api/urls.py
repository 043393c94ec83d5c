from django.urls import path

from backend.connectors.shopify.api import views

# Under /api/v1/: the merchant's.
urlpatterns = [
    path("connectors/shopify/installs/", views.InstallView.as_view(), name="shopify-installs"),
    path("connectors/shopify/shops/", views.ShopListView.as_view(), name="shopify-shops"),
    path(
        "connectors/shopify/webhooks/",
        views.ShopWebhookListView.as_view(),
        name="shopify-webhook-log",
    ),
]

# Under /connectors/shopify/: Shopify's.
shopify_urlpatterns = [
    path("callback/", views.install_callback, name="shopify-callback"),
    path("webhooks/", views.ShopifyWebhookView.as_view(), name="shopify-webhooks"),
]
