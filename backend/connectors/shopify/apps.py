from django.apps import AppConfig


class ShopifyConfig(AppConfig):
    name = "backend.connectors.shopify"
    label = "shopify"
    verbose_name = "Shopify connector"
