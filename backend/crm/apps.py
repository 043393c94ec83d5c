from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "backend.crm"
    label = "crm"
    verbose_name = "CRM and marketing"
