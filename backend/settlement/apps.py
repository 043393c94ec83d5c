from django.apps import AppConfig


class SettlementConfig(AppConfig):
    name = "backend.settlement"
    label = "settlement"
    verbose_name = "Settlement"
