from django.apps import AppConfig


class ObligorsConfig(AppConfig):
    name = "backend.obligors"
    label = "obligors"
    verbose_name = "Obligor reporting"
