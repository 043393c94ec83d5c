from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "backend.claims"
    label = "claims"
