from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "backend.merchants"
    label = "merchants"
